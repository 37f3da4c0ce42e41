#include <pipeline/dspy/step_dspy.hpp>

#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_adapter.hpp>
#include <pipeline/dspy/value_parse.hpp>
#include <pipeline/engine/interpolation.hpp>

#include <vector>

namespace pipeline::dspy {

std::optional<StepDspy> step_dspy_from_config(const StepConfig& step, Diagnostics& diags) {
  const json::object& raw = step.raw;
  const auto* sig_json = raw.if_contains("signature");
  if (!sig_json) {
    diags.error(step.where,
                "step '" + step.name + "' has no `signature:`; a DSPy program needs one");
    return std::nullopt;
  }
  auto sig = signature_from_config(*sig_json, step.source.child("signature"), diags);
  if (!sig) return std::nullopt;
  StepDspy out;
  out.step = step.name;
  out.signature = std::move(*sig);
  bool ok = true;
  if (const auto* a = raw.if_contains("adapter")) {
    out.adapter = a->is_string() ? std::string(a->get_string()) : "";
    if (out.adapter != "chat" && out.adapter != "json") {
      diags.error(step.source.child("adapter").where(),
                  "step '" + step.name + "': adapter must be chat or json, found " + serialize(*a));
      ok = false;
    }
  }
  auto flag = [&](const json::value* v, const SourceRef& at, const std::string& what,
                  bool& target) {
    if (!v) return;
    if (v->is_bool()) {
      target = v->get_bool();
    } else {
      diags.error(at.where(), "step '" + step.name + "': " + what + " must be true or false");
      ok = false;
    }
  };
  flag(raw.if_contains("adapter_fallback"), step.source.child("adapter_fallback"),
       "adapter_fallback", out.adapter_fallback);
  if (const auto* dc = raw.if_contains("dspy_config"); dc && dc->is_object())
    flag(dc->get_object().if_contains("chain_of_thought"),
         step.source.child("dspy_config").child("chain_of_thought"), "dspy_config.chain_of_thought",
         out.chain_of_thought);
  if (!ok) return std::nullopt;
  return out;
}

PredictOptions step_predict_options(const StepConfig& step, const StepDspy& d) {
  PredictOptions popts;
  popts.adapter = d.adapter;
  popts.adapter_fallback = d.adapter_fallback;
  if (const auto* m = step.raw.if_contains("model"); m && m->is_string())
    popts.request["model"] = *m;
  return popts;
}

json::value step_metric_spec(const StepConfig& step) {
  if (const auto* m = step.raw.if_contains("metric")) return *m;
  return json::object{{"type", "exact_match"}};
}

Result<Example> traditional_prediction(const Signature& sig, const json::value& step_result) {
  if (sig.outputs.empty()) return invalid_argument("the signature has no output field");
  const Field& first = sig.outputs.front();
  std::string text =
      step_result.is_object() ? get_string(step_result.get_object(), "text") : std::string();
  auto v = parse_field_value(json::value(json::string(text)), first.type);
  if (!v)
    return invalid_argument("the reply does not parse as " + first.type.annotation_name() +
                            " for '" + first.name + "': " + v.status().message());
  return Example{{first.name, *v}};
}

Result<Dataset> step_dataset(const StepConfig& step, const Signature& sig,
                             const std::string& data_file) {
  if (!data_file.empty()) return load_dataset(data_file, sig);
  if (const auto* ex = step.raw.if_contains("examples"))
    return dataset_from_config(*ex, step.source.child("examples"), sig);
  return invalid_argument(
      "no examples: give --data FILE (.jsonl, .json, .csv) or `examples:` on step '" + step.name +
      "'");
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
