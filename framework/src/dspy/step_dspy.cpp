#include <pipeline/dspy/step_dspy.hpp>

#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_adapter.hpp>
#include <pipeline/dspy/value_parse.hpp>
#include <pipeline/engine/interpolation.hpp>

#include <vector>

namespace pipeline::dspy {

std::optional<StepDspy> step_dspy_from_config(const StepConfig& step, Diagnostics& diags) {
  const json::object& node = step.raw;
  const auto* signature = node.if_contains("signature");
  if (signature == nullptr) {
    diags.error(step.where,
                "step '" + step.name + "' has no `signature:`; a DSPy program needs one");
    return std::nullopt;
  }
  auto sig = signature_from_json(*signature, step.source.child("signature"), diags);
  if (!sig) return std::nullopt;
  StepDspy out;
  out.step = step.name;
  out.signature = std::move(*sig);
  bool ok = true;
  if (const auto* a = node.if_contains("adapter")) {
    out.adapter = a->is_string() ? std::string(a->get_string()) : "";
    if (out.adapter != "chat" && out.adapter != "json") {
      diags.error(step.source.child("adapter").where(),
                  "step '" + step.name + "': adapter must be chat or json, found " +
                      (a->is_string() ? "'" + out.adapter + "'" : json::serialize(*a)));
      ok = false;
    }
  }
  auto flag = [&](const json::object& in, const SourceRef& at, std::string_view key,
                  const std::string& what, bool& target) {
    const auto* v = in.if_contains(key);
    if (v == nullptr) return;
    if (v->is_bool()) {
      target = v->get_bool();
    } else {
      diags.error(at.child(key).where(),
                  "step '" + step.name + "': " + what + " must be true or false");
      ok = false;
    }
  };
  flag(node, step.source, "adapter_fallback", "adapter_fallback", out.adapter_fallback);
  if (const auto* dc = node.if_contains("dspy_config"); dc && dc->is_object())
    flag(dc->get_object(), step.source.child("dspy_config"), "chain_of_thought",
         "dspy_config.chain_of_thought", out.chain_of_thought);
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
