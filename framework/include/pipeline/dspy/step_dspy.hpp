// A step's DSPy settings, read from its YAML: `signature:`, `adapter: chat|json` (default chat),
// `adapter_fallback: false` (DSPy's Chat -> JSON retry is on by default) and
// `dspy_config: {chain_of_thought: true}`. Shared by render, run and evaluate.
//
//   auto d = step_dspy_from_config(step, diags);
//   auto inputs = resolve_inputs(d->signature, given, resolver);
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/dspy/adapter.hpp>
#include <pipeline/dspy/dataset.hpp>
#include <pipeline/dspy/predict.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/engine/expression.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pipeline::dspy {

struct StepDspy {
  std::string step;
  Signature signature;
  std::string adapter = "chat";  // chat | json
  bool adapter_fallback = true;
  bool chain_of_thought = false;
};

// nullopt (with a diagnostic naming file:line:col) when the step has no usable signature.
std::optional<StepDspy> step_dspy_from_config(const StepConfig& step, Diagnostics& diags);

// How a step's predictor calls its model: the step's adapter, its fallback rule and its
// `model:` (when it names one). Shared by run, evaluate and optimize.
PredictOptions step_predict_options(const StepConfig& step, const StepDspy& d);

// The step's metric spec: its `metric:`, else exact_match (on the first output field).
json::value step_metric_spec(const StepConfig& step);

// The labelled examples of a step: `data_file` when given (.jsonl, .json, .csv), else the step's
// inline `examples:`; an error naming both when there are none. Bad rows are in the result.
Result<Dataset> step_dataset(const StepConfig& step, const Signature& sig,
                             const std::string& data_file);

// What a step run as written predicted, read the way `pipeline evaluate` scores it: the reply
// `text` of the step's result is the signature's first output field, parsed as that field's type.
// An error says why the reply does not parse.
Result<Example> traditional_prediction(const Signature& sig, const json::value& step_result);

// "chat" -> ChatAdapter, "json" -> JSONAdapter; nullptr for anything else.
std::unique_ptr<Adapter> make_adapter(std::string_view name);

// The inputs of one call: a value given under the field's name wins; otherwise the field's
// template is rendered through `resolve` (inputs.<k>, steps.<s>...); otherwise the value given
// as inputs.<field>. A field with no value is an error naming it.
Result<Example> resolve_inputs(const Signature& sig, const json::object& given,
                               const PathResolver& resolve);

}  // namespace pipeline::dspy
