#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <pipeline/sdk/atomic_file.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace json = boost::json;
namespace fs = std::filesystem;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;
using pipeline::sdk::ExecutorScope;

namespace llm_steps {

namespace {

constexpr int64_t kDefaultMaxParallel = 3;
constexpr int64_t kMaxParallelLimit = 32;

struct Task {
  std::string id;
  json::object request;
  std::string output_file;
  json::object result;
  std::string error;
};

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t integer(const json::object& o, std::string_view k, int64_t fb) {
  auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<int64_t>() : fb;
}

// The task's prompt text: parts rendered by the host (previous_response, files, {{...}}).
std::string prompt_text(const json::value& prompt, const ExecutorScope& scope) {
  json::object req;
  if (prompt.is_array())
    req["prompt"] = prompt;
  else
    req["render"] = prompt;
  json::value r = pipeline::sdk::parse_json(scope.evaluate(json::serialize(req)));
  const json::value& v = r.as_object()["value"];
  if (v.is_object()) return str(v.get_object(), "text");
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

void write_task_file(const json::object& input, const Task& t) {
  fs::path rel(t.output_file);
  for (const auto& part : rel.lexically_normal()) {
    if (part == ".." || rel.is_absolute()) {
      throw Error(PL_PERMISSION_DENIED, "task '" + t.id + "': output_to_file '" + t.output_file +
                                            "' must stay inside the output folder");
    }
  }
  std::string dir = "./outputs";
  if (auto* w = input.if_contains("workflow"); w && w->is_object()) {
    if (auto d = str(w->get_object(), "output_dir"); !d.empty()) dir = d;
  }
  fs::path target = fs::path(dir) / rel;
  bool is_json = target.extension() == ".json";
  // Best effort, as before: a task's copy on disk never fails the task.
  (void)pipeline::atomic_write_file(
      target, (is_json ? json::serialize(t.result) : str(t.result, "text")) + "\n");
}

}  // namespace

std::string MultiTaskStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value parsed = pipeline::sdk::parse_json(input_json);
  json::object input = with_preset(parsed.as_object());
  const json::object& step = input["step"].as_object();
  json::object batch_cfg;
  if (auto* b = step.if_contains("batch_config"); b && b->is_object()) batch_cfg = b->get_object();
  const char* key = batch_ ? "tasks" : "parallel_tasks";

  std::vector<Task> tasks;
  {
    ExecutorScope scope(host(), ctx);
    const json::value* list = step.if_contains(key);
    if (list && list->is_array()) {
      for (const auto& tv : list->get_array()) {
        if (!tv.is_object()) continue;
        const json::object& t = tv.get_object();
        Task task;
        task.id = str(t, "task_id");
        if (task.id.empty()) task.id = str(t, "id");
        if (task.id.empty()) task.id = "task_" + std::to_string(tasks.size() + 1);
        json::object task_input = input;
        json::object& ts = task_input["step"].as_object();
        json::object opts =
            merged(ts.if_contains("claude_options"), t.if_contains("claude_options"));
        ts["claude_options"] = opts;
        task_input["prompt_text"] = t.contains("prompt") ? prompt_text(t.at("prompt"), scope) : "";
        task.request = claude_request(task_input);
        task.output_file = str(t, "output_to_file");
        tasks.push_back(std::move(task));
      }
    } else if (batch_) {
      // claude_batch with a single prompt: one task.
      Task task;
      task.id = "task_1";
      task.request = claude_request(input);
      tasks.push_back(std::move(task));
    }
  }
  int64_t timeout = integer(batch_cfg, "timeout_per_task", integer(step, "timeout_per_task", 0));
  for (auto& t : tasks) {
    if (timeout > 0) t.request["timeout_ms"] = timeout;
  }

  int64_t max_parallel = std::clamp<int64_t>(
      integer(batch_cfg, "max_parallel", integer(step, "max_parallel", kDefaultMaxParallel)), 1,
      kMaxParallelLimit);
  std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(max_parallel), tasks.size());
  std::atomic<std::size_t> next{0};
  const std::string provider = provider_of(input);
  auto work = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) {
      try {
        tasks[i].result = step_result(complete(host(), ctx, tasks[i].request), provider);
      } catch (const std::exception& e) {
        tasks[i].error = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  std::string failed;
  for (const auto& t : tasks) {
    if (!t.error.empty()) failed += (failed.empty() ? "" : "; ") + t.id + ": " + t.error;
  }
  if (!failed.empty())
    throw Error(PL_ABORTED, std::string(batch_ ? "claude_batch" : "parallel_claude") +
                                " task(s) failed: " + failed);

  json::array list;
  json::object by_id;
  std::string combined;
  for (auto& t : tasks) {
    if (!t.output_file.empty()) write_task_file(input, t);
    std::string text = str(t.result, "text");
    combined += (combined.empty() ? "" : "\n\n") + std::string("## ") + t.id + "\n" + text;
    json::object entry = t.result;
    entry["task_id"] = t.id;
    list.push_back(entry);
    by_id[t.id] = std::move(t.result);
  }
  json::object out{
      {"success", true}, {"total_tasks", tasks.size()}, {"max_parallel", max_parallel}};
  if (batch_) {
    out["tasks"] = std::move(list);
    out["results"] = std::move(by_id);
    bool consolidate = true;
    if (auto* c = batch_cfg.if_contains("consolidate_results"); c && c->is_bool())
      consolidate = c->get_bool();
    if (consolidate) out["consolidated"] = combined;
    out["text"] = combined;
  } else {
    // Both shapes pipeline_ex users read: one result per task id, and the combined text.
    for (const auto& kv : by_id) out[kv.key()] = kv.value();
    out["individual"] = std::move(by_id);
    out["combined"] = combined;
    out["text"] = combined;
  }
  return json::serialize(json::object{{"output", std::move(out)}});
}

std::string MultiTaskStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const json::object& step = v.as_object();
  json::array d;
  check_claude_options(step, d);
  const char* key = batch_ ? "tasks" : "parallel_tasks";
  const json::value* list = step.if_contains(key);
  if (list == nullptr && !(batch_ && step.contains("prompt"))) {
    add_diag(d, key,
             std::string(batch_ ? "claude_batch" : "parallel_claude") + " needs a '" + key +
                 "' list" + (batch_ ? " (or a prompt)" : ""));
  } else if (list != nullptr && !list->is_array()) {
    add_diag(d, key, std::string("'") + key + "' must be a list of tasks");
  } else if (list != nullptr) {
    for (const auto& t : list->get_array()) {
      if (!t.is_object() || !t.get_object().contains("prompt")) {
        add_diag(d, key, "every task needs a 'prompt'");
        break;
      }
      if (auto* o = t.get_object().if_contains("claude_options"); o && o->is_object()) {
        json::object tmp{{"claude_options", *o}};
        json::array inner;
        check_claude_options(tmp, inner);
        for (auto& e : inner) {
          auto& eo = e.as_object();
          eo["message"] = std::string(key) + " task: " + std::string(eo["message"].as_string());
          eo["field"] = key;
          d.push_back(e);
        }
      }
    }
  }
  return json::serialize(d);
}

}  // namespace llm_steps
