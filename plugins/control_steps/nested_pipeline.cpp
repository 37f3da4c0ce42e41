#include "loops.hpp"
#include "step_json.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace control_steps {

using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace {

const json::value* find_path(const json::value& root, std::string_view path) {
  const json::value* cur = &root;
  while (!path.empty() && cur != nullptr) {
    auto dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (const auto* o = cur->if_object())
      cur = o->if_contains(key);
    else if (const auto* a = cur->if_array()) {
      std::size_t i = 0;
      try {
        i = std::stoul(std::string(key));
      } catch (...) {
        return nullptr;
      }
      cur = i < a->size() ? &(*a)[i] : nullptr;
    } else {
      return nullptr;
    }
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

}  // namespace

std::string NestedPipelineStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value input = pipeline::sdk::parse_json(input_json);
  const json::object& step = step_of(input);
  const auto* svc = host().executor();
  if (svc == nullptr) throw Error(PL_UNIMPLEMENTED, "host has no pipeline.executor service");
  json::object config;
  if (const auto* c = step.if_contains("config"); c && c->is_object()) config = c->get_object();
  json::object req;
  if (const auto* f = step.if_contains("pipeline_file")) req["pipeline_file"] = *f;
  if (const auto* p = step.if_contains("pipeline")) req["pipeline"] = *p;
  if (const auto* i = step.if_contains("inputs")) req["inputs"] = *i;
  req["max_depth"] = int_or(step, "max_depth", int_or(config, "max_depth", 10));
  req["inherit_context"] =
      bool_or(step, "inherit_context", bool_or(config, "inherit_context", false));

  pipeline::sdk::StringBuffer out, err;
  std::string body = json::serialize(req);
  int32_t st = svc->run_pipeline(svc->header.host_data, ctx.raw(), body.data(), body.size(),
                                 out.get(), err.get());
  if (st != PL_OK) throw Error(st, err.take());
  json::value resp = pipeline::sdk::parse_json(out.take());
  json::object& r = resp.as_object();
  if (!r["success"].as_bool()) {
    throw Error(PL_ABORTED, "nested pipeline '" + string_or(r, "workflow", "?") +
                                "' failed at step '" + string_or(r, "failed_step", "?") +
                                "': " + string_or(r, "error", "unknown error"));
  }
  // outputs: ["step", "step.field", {path: "step.field", as: "name"}]; without it, every result.
  const auto* outputs = step.if_contains("outputs");
  json::value results = r["results"];
  if (outputs == nullptr || !outputs->is_array()) {
    return json::serialize(json::object{{"output", std::move(results)}});
  }
  json::object mapped;
  for (const auto& o : outputs->get_array()) {
    std::string path, as;
    if (o.is_string()) {
      path = as = std::string(o.get_string());
    } else if (o.is_object()) {
      path = string_or(o.get_object(), "path", "");
      as = string_or(o.get_object(), "as", path);
    }
    if (path.empty()) continue;
    const json::value* v = find_path(results, path);
    if (v == nullptr) {
      throw Error(PL_NOT_FOUND, "nested pipeline output '" + path + "' not found in its results");
    }
    mapped[as] = *v;
  }
  return json::serialize(json::object{{"output", std::move(mapped)}});
}

std::string NestedPipelineStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const json::object& step = v.as_object();
  Diagnostics d;
  bool file = step.contains("pipeline_file"), inl = step.contains("pipeline");
  if (!file && !inl)
    d.error("", "a nested pipeline step needs 'pipeline_file' or an inline 'pipeline'");
  if (file && inl) d.error("pipeline", "give either 'pipeline_file' or 'pipeline', not both");
  if (const auto* p = step.if_contains("pipeline"); p && !p->is_object()) {
    d.error("pipeline", "inline 'pipeline' must be a map with 'steps'");
  }
  if (int_or(step, "max_depth", 10) < 1) d.error("max_depth", "max_depth must be at least 1");
  if (int_or(step, "max_depth", 10) > pipeline::limits::kMaxNestingDepth) {
    d.error("max_depth", "max_depth must be at most " +
                             std::to_string(pipeline::limits::kMaxNestingDepth) +
                             " (the nesting limit of this host)");
  }
  return d.str();
}

}  // namespace control_steps
