#include "loops.hpp"
#include "step_json.hpp"

#include <pipeline/sdk/json_parse.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace control_steps {

using pipeline::sdk::CallContext;
using pipeline::sdk::Error;
using pipeline::sdk::ExecutorScope;

namespace {

constexpr int64_t kDefaultMaxParallel = 5;
constexpr int64_t kMaxParallelLimit = 64;

json::value evaluate(const ExecutorScope& scope, std::string_view key, const json::value& v) {
  json::object req;
  req[key] = v;
  json::value r = pipeline::sdk::parse_json(scope.evaluate(json::serialize(req)));
  return r.as_object()["value"];
}

bool condition_holds(const ExecutorScope& scope, const json::value& condition) {
  json::value v = evaluate(scope, "condition", condition);
  return v.is_bool() && v.get_bool();
}

// data_source: a list (already interpolated), a map (iterated as {key, value} entries) or a
// path such as "previous_response:step.items" / "steps.x.items" / "state.list".
json::array items_of(const json::object& step, const ExecutorScope& scope) {
  const json::value* src = step.if_contains("data_source");
  if (src == nullptr) throw Error(PL_INVALID_ARGUMENT, "for_loop needs 'data_source'");
  json::value data = *src;
  if (src->is_string()) data = evaluate(scope, "path", *src);
  if (data.is_array()) return std::move(data.get_array());
  if (data.is_object()) {
    json::array out;
    for (const auto& kv : data.get_object()) {
      out.push_back(json::object{{"key", kv.key()}, {"value", kv.value()}});
    }
    return out;
  }
  throw Error(PL_FAILED_PRECONDITION,
              "for_loop data_source " + json::serialize(*src) + " is not a list (found " +
                  (data.is_null() ? std::string("nothing") : json::serialize(data)) + ")");
}

json::object loop_variables(const std::string& iterator, const json::value& item, std::size_t i,
                            std::size_t n) {
  json::object loop{{"item", item}, {"index", i},      {"iteration", i + 1},
                    {"length", n},  {"first", i == 0}, {"last", i + 1 == n}};
  loop[iterator] = item;
  json::object vars{{"loop", std::move(loop)}};
  vars[iterator] = item;
  return vars;
}

json::object iteration_record(std::size_t i, const json::value& item, const json::object& resp) {
  json::object rec{{"index", i}, {"item", item}};
  const auto* ok = resp.if_contains("success");
  rec["success"] = ok && ok->is_bool() && ok->get_bool();
  if (const auto* r = resp.if_contains("results")) rec["results"] = *r;
  if (const auto* e = resp.if_contains("error")) rec["error"] = *e;
  if (const auto* f = resp.if_contains("failed_step")) rec["failed_step"] = *f;
  if (const auto* c = resp.if_contains("cancelled")) rec["cancelled"] = *c;
  return rec;
}

std::string failure(const json::object& rec) {
  return "for_loop iteration " + std::to_string(rec.at("index").to_number<int64_t>()) +
         " failed at step '" + string_or(rec, "failed_step", "?") +
         "': " + string_or(rec, "error", "unknown error");
}

}  // namespace

std::string ForLoopStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value input = pipeline::sdk::parse_json(input_json);
  const json::object& step = step_of(input);
  const std::string iterator = string_or(step, "iterator", "item");
  const bool break_on_error = bool_or(step, "break_on_error", true);
  ExecutorScope scope(host(), ctx);
  json::array items = items_of(step, scope);
  const std::size_t n = items.size();
  std::vector<json::object> records(n);
  json::object out{{"total_items", n}};

  if (bool_or(step, "parallel", false) && n > 0) {
    // A bounded pool: each worker takes the next index; each iteration has its own scope, so
    // no two threads share mutable state on the host side.
    int64_t max_parallel = std::clamp<int64_t>(int_or(step, "max_parallel", kDefaultMaxParallel), 1,
                                               kMaxParallelLimit);
    std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(max_parallel), n);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    auto work = [&] {
      for (std::size_t i = next++; i < n && !stop && !ctx.cancelled(); i = next++) {
        try {
          ExecutorScope iter(host(), ctx,
                             json::serialize(json::object{
                                 {"variables", loop_variables(iterator, items[i], i, n)}}));
          auto resp = pipeline::sdk::parse_json(iter.run_steps(R"({"field":"steps"})"));
          records[i] = iteration_record(i, items[i], resp.as_object());
        } catch (const std::exception& e) {
          records[i] = json::object{
              {"index", i}, {"item", items[i]}, {"success", false}, {"error", e.what()}};
        }
        if (!records[i]["success"].as_bool() && break_on_error) stop = true;
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    out["parallel"] = true;
    out["max_parallel"] = max_parallel;
  } else {
    const json::value* cont = step.if_contains("continue_condition");
    const json::value* brk = step.if_contains("break_condition");
    for (std::size_t i = 0; i < n; ++i) {
      if (ctx.cancelled()) break;  // what finished is returned below, marked cancelled
      json::object vars = loop_variables(iterator, items[i], i, n);
      if (cont != nullptr) {
        scope.run_steps(
            json::serialize(json::object{{"steps", json::array()}, {"variables", vars}}));
        if (condition_holds(scope, *cont)) {
          records[i] =
              json::object{{"index", i}, {"item", items[i]}, {"success", true}, {"skipped", true}};
          continue;
        }
      }
      json::object req{{"field", "steps"}, {"variables", std::move(vars)}};
      auto resp = pipeline::sdk::parse_json(scope.run_steps(json::serialize(req)));
      records[i] = iteration_record(i, items[i], resp.as_object());
      if (!records[i]["success"].as_bool() && break_on_error) break;
      if (brk != nullptr && condition_holds(scope, *brk)) {
        out["broke_at"] = i;
        break;
      }
    }
  }

  // Cancelled (SIGINT/SIGTERM): the iterations that finished are the result, handed back marked
  // "cancelled" so the host keeps them and stops the run; the ones cut short are left out.
  const bool cancelled = ctx.cancelled();
  json::array iterations;
  std::size_t completed = 0, skipped = 0;
  bool success = true;
  std::string first_failure;
  for (auto& rec : records) {
    if (rec.empty()) continue;  // not reached (break, stop)
    if (cancelled && !rec["success"].as_bool()) continue;
    if (rec.contains("skipped"))
      ++skipped;
    else if (rec["success"].as_bool())
      ++completed;
    else {
      success = false;
      if (first_failure.empty()) first_failure = failure(rec);
    }
    iterations.push_back(std::move(rec));
  }
  if (!success && break_on_error && !cancelled) throw Error(PL_ABORTED, first_failure);
  if (cancelled) {
    out["cancelled"] = true;
    success = false;
  }
  out["success"] = success;
  out["completed_items"] = completed;
  out["skipped_items"] = skipped;
  out["iterations"] = std::move(iterations);

  // What the body set stays visible after the loop (pipeline_ex merges the loop's context back),
  // except the loop's own bookkeeping.
  json::value state = pipeline::sdk::parse_json(scope.close());
  json::object vars = state.as_object()["variables"].as_object();
  vars.erase("loop");
  vars.erase(iterator);
  return json::serialize(
      json::object{{"output", std::move(out)}, {"set_variables", std::move(vars)}});
}

std::string ForLoopStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const json::object& step = v.as_object();
  Diagnostics d;
  if (!step.contains("iterator"))
    d.error("iterator", "for_loop needs 'iterator' (the loop variable's name)");
  else if (!step.at("iterator").is_string())
    d.error("iterator", "'iterator' must be a name");
  if (!step.contains("data_source"))
    d.error("data_source", "for_loop needs 'data_source' (a list or a path to one)");
  const auto* steps = step.if_contains("steps");
  if (steps == nullptr || !steps->is_array() || steps->get_array().empty()) {
    d.error("steps", "for_loop needs a non-empty 'steps' list");
  }
  if (bool_or(step, "parallel", false) && step.contains("break_condition")) {
    d.warning("break_condition", "break_condition is ignored when parallel: true");
  }
  if (int_or(step, "max_parallel", 1) < 1)
    d.error("max_parallel", "max_parallel must be at least 1");
  return d.str();
}

}  // namespace control_steps
