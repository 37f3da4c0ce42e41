// Metrics: a score in [0, 1] for one prediction against its example, with an optional text
// feedback (why the score is low) that the GEPA optimizer reads. Chosen per step with
// `metric: {type, field, ...}` or on the command line (--metric exact_match:answer).
//
//   auto m = make_metric(parse_json(R"({"type": "f1", "field": "answer"})").value(), sig, judge);
//   auto s = (*m)->score({inputs, expected, predicted});   // s->score, s->feedback
#pragma once

#include <pipeline/dspy/adapter.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::dspy {

struct MetricScore {
  double score = 0;
  std::string feedback;  // empty when there is nothing to say
};

struct MetricInput {
  const Example& inputs;
  const Example& expected;
  const Example& predicted;
};

class Metric {
 public:
  virtual ~Metric() = default;
  virtual std::string name() const = 0;
  // An error means the metric could not score (a judge call failed), not a low score.
  virtual Result<MetricScore> score(const MetricInput& in) const = 0;
  // How many LM calls one score() makes (llm_judge: 1), for accounting.
  virtual int lm_calls_per_score() const { return 0; }
};

// The LM call llm_judge makes: messages in, reply text out. The caller routes it through the
// completion stack, so judge calls are cached, costed and cancellable like any other.
using JudgeCall = std::function<Result<std::string>(const std::vector<Message>& messages,
                                                    const json::object& options)>;

// `spec`: {type: exact_match|f1|contains|regex|json_valid|json_schema|numeric|llm_judge|weighted,
// field: <output field, default the first one>, ...}. Unknown types and options are errors.
Result<std::unique_ptr<Metric>> make_metric(const json::value& spec, const Signature& sig,
                                            JudgeCall judge = {});

// --metric text: "exact_match", "f1:answer", "numeric:answer:0.01" (type[:field[:tolerance]]),
// or a JSON object.
Result<json::value> parse_metric_spec(std::string_view text);

// DSPy's normalize_text: NFD, lowercase, drop ASCII punctuation, drop the articles a/an/the,
// collapse whitespace.
std::string normalize_text(std::string_view s);
// DSPy's f1_score (SQuAD token F1 over normalize_text tokens).
double f1_score(std::string_view prediction, std::string_view ground_truth);

}  // namespace pipeline::dspy
