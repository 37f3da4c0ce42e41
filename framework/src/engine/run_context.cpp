#include <pipeline/engine/run_context.hpp>

namespace pipeline {

void RunContext::set_result(const std::string& step, json::value output) {
  results_[step] = std::move(output);
}

const json::value* RunContext::result(std::string_view step) const {
  return results_.if_contains(step);
}

void RunContext::set_variable(const std::string& name, json::value value) {
  variables_[name] = std::move(value);
}

std::string result_text(const json::value& result) {
  if (const auto* o = result.if_object()) {
    if (const auto* t = o->if_contains("text"); t && t->is_string()) return std::string(t->get_string());
  }
  return to_text(result);
}

std::optional<json::value> extract_from_result(const json::value& result, std::string_view path) {
  if (path.empty()) return result;
  if (const json::value* v = get_path(result, path)) return *v;
  // An LLM's text that is itself JSON: look inside it.
  std::string text;
  if (result.is_string()) {
    text = result.get_string();
  } else if (const auto* o = result.if_object()) {
    if (const auto* t = o->if_contains("text"); t && t->is_string()) text = t->get_string();
  }
  if (text.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return std::nullopt;
  if (const json::value* v = get_path(parsed, path)) return *v;
  return std::nullopt;
}

namespace {

std::pair<std::string_view, std::string_view> split_first(std::string_view path) {
  auto dot = path.find('.');
  if (dot == std::string_view::npos) return {path, {}};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

std::optional<json::value> lookup(const json::object& o, std::string_view path) {
  if (path.empty()) return json::value(o);
  auto [head, rest] = split_first(path);
  const json::value* v = o.if_contains(head);
  if (v == nullptr) return std::nullopt;
  if (rest.empty()) return *v;
  if (const json::value* inner = get_path(*v, rest)) return *inner;
  return std::nullopt;
}

}  // namespace

std::optional<json::value> RunContext::resolve(std::string_view path) const {
  constexpr std::string_view kPrevious = "previous_response:";
  if (path.rfind(kPrevious, 0) == 0) {
    auto [step, rest] = split_first(path.substr(kPrevious.size()));
    const json::value* r = result(step);
    if (r == nullptr) return std::nullopt;
    if (rest.empty()) return *r;
    return extract_from_result(*r, rest);
  }
  auto [head, rest] = split_first(path);
  if (head == "steps") {
    auto [step, field] = split_first(rest);
    const json::value* r = result(step);
    if (r == nullptr) return std::nullopt;
    if (field.empty()) return *r;
    if (auto v = extract_from_result(*r, field)) return v;
    // pipeline_ex reads a step's value as steps.X.result; a result without such a member is
    // itself the value.
    if (field == "result") return *r;
    if (field.rfind("result.", 0) == 0) return extract_from_result(*r, field.substr(7));
    return std::nullopt;
  }
  if (head == "global_vars") return lookup(global_vars_, rest);
  if (head == "inputs") return lookup(inputs_, rest);
  if (head == "state" || head == "variables" || head == "vars") {
    if (auto v = lookup(variables_, rest)) return v;
    return lookup(global_vars_, rest);
  }
  if (auto v = lookup(variables_, path)) return v;
  if (const json::value* r = result(head)) {
    if (rest.empty()) return *r;
    return extract_from_result(*r, rest);
  }
  if (auto v = lookup(global_vars_, path)) return v;
  return lookup(inputs_, path);
}

json::object RunContext::to_json() const {
  return {{"results", results_},
          {"variables", variables_},
          {"global_vars", global_vars_},
          {"inputs", inputs_}};
}

RunContext RunContext::from_json(const json::object& state) {
  RunContext ctx;
  auto obj = [&](std::string_view k) {
    const auto* v = state.if_contains(k);
    return v && v->is_object() ? v->get_object() : json::object();
  };
  ctx.results_ = obj("results");
  ctx.variables_ = obj("variables");
  ctx.global_vars_ = obj("global_vars");
  ctx.inputs_ = obj("inputs");
  return ctx;
}

}  // namespace pipeline
