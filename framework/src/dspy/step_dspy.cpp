#include <pipeline/dspy/step_dspy.hpp>

#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_adapter.hpp>
#include <pipeline/dspy/value_parse.hpp>
#include <pipeline/engine/interpolation.hpp>

#include <vector>

namespace pipeline::dspy {

std::optional<StepDspy> step_dspy_from_config(const StepConfig& step, const std::string& file,
                                              Diagnostics& diags) {
  const YAML::Node& node = step.node;
  if (!node["signature"].IsDefined()) {
    diags.error(step.where,
                "step '" + step.name + "' has no `signature:`; a DSPy program needs one");
    return std::nullopt;
  }
  auto sig = signature_from_yaml(node["signature"], file, diags);
  if (!sig) return std::nullopt;
  StepDspy out;
  out.step = step.name;
  out.signature = std::move(*sig);
  bool ok = true;
  if (const auto& a = node["adapter"]; a.IsDefined()) {
    out.adapter = a.IsScalar() ? a.Scalar() : "";
    if (out.adapter != "chat" && out.adapter != "json") {
      diags.error(location_of(a, file),
                  "step '" + step.name + "': adapter must be chat or json, found " + yaml_kind(a));
      ok = false;
    }
  }
  auto flag = [&](const YAML::Node& n, const std::string& what, bool& target) {
    if (!n.IsDefined()) return;
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
      target = n.Scalar() == "true";
    } else {
      diags.error(location_of(n, file),
                  "step '" + step.name + "': " + what + " must be true or false");
      ok = false;
    }
  };
  flag(node["adapter_fallback"], "adapter_fallback", out.adapter_fallback);
  if (const auto& dc = node["dspy_config"]; dc.IsDefined() && dc.IsMap())
    flag(dc["chain_of_thought"], "dspy_config.chain_of_thought", out.chain_of_thought);
  if (!ok) return std::nullopt;
  return out;
}

std::unique_ptr<Adapter> make_adapter(std::string_view name) {
  if (name == "chat") return std::make_unique<ChatAdapter>();
  if (name == "json") return std::make_unique<JSONAdapter>();
  return nullptr;
}

Result<Example> resolve_inputs(const Signature& sig, const json::object& given,
                               const PathResolver& resolve) {
  Example out;
  for (const auto& f : sig.inputs) {
    if (const auto* v = given.if_contains(f.name)) {
      out[f.name] = *v;
      continue;
    }
    if (!f.value_template.empty()) {
      std::vector<std::string> unknown;
      Interpolator in(resolve, [&](std::string_view var) { unknown.emplace_back(var); });
      auto v = in.render(f.value_template);
      if (!v) return invalid_argument("input '" + f.name + "': " + v.status().message());
      if (!unknown.empty())
        return invalid_argument(
            "input '" + f.name + "': its template " + f.value_template + " needs " + unknown[0] +
            ", which has no value here; give the value directly (--set " + f.name + "=...)");
      out[f.name] = std::move(*v);
      continue;
    }
    if (auto v = resolve("inputs." + f.name)) {
      out[f.name] = std::move(*v);
      continue;
    }
    return invalid_argument("input '" + f.name + "' has no value (give it with --set " + f.name +
                            "=... or --inputs FILE.json)");
  }
  return out;
}

}  // namespace pipeline::dspy
