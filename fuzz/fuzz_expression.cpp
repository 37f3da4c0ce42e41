// libFuzzer target: the expression language ({{...}} and conditions): parsing, evaluation over a
// small run state, interpolation of the input as a template, and condition syntax checks.
#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/expression.hpp>
#include <pipeline/engine/interpolation.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const pipeline::json::value& state() {
  static const pipeline::json::value v = pipeline::json::parse(R"({
    "steps": {"review": {"score": 7, "text": "fine", "items": [1, 2, 3, "x", null],
                         "nested": {"a": {"b": [true, false, {"c": "deep"}]}}}},
    "global_vars": {"threshold": 5, "name": "Ada", "empty": "", "list": []},
    "inputs": {"n": 12, "f": 2.5, "big": 1e300}})");
  return v;
}

std::optional<pipeline::json::value> resolve(std::string_view path) {
  const pipeline::json::value* cur = &state();
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string_view key =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const auto* o = cur->if_object();
    if (o == nullptr) return std::nullopt;
    const auto* next = o->if_contains(key);
    if (next == nullptr) return std::nullopt;
    cur = next;
    if (dot == std::string_view::npos) return *cur;
    start = dot + 1;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto e = pipeline::Expression::parse(text)) {
    (void)e->evaluate(resolve, [](std::string_view) {});
    (void)e->paths();
  }
  pipeline::Interpolator interp(resolve, [](std::string_view) {});
  (void)interp.render(text);
  (void)pipeline::check_condition(pipeline::json::value(text));
  return 0;
}
