// Running one predictor: render with the adapter, one LM call through pipeline::Completion (so
// the response cache, retries, cost and cancellation apply as for any step), parse the reply. On a
// ChatAdapter parse failure DSPy makes one more call with the JSONAdapter's messages; so do we,
// unless the step says `adapter_fallback: false`. This is the "Program::run" seam of issue 9.
//
//   Predict p(bound.signature, bound.demos, {.adapter = "chat"}, "extract@3f2a...");
//   PredictResult r = p.run(inputs, completion, CompletionCall{ctx, frame});
//   if (r.parse_error) r.parse_error->lm_response;  // the raw reply
#pragma once

#include <pipeline/dspy/adapter.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/json.hpp>
#include <pipeline/llm/completion.hpp>
#include <pipeline/status.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pipeline::dspy {

struct PredictOptions {
  std::string adapter = "chat";  // chat | json
  bool adapter_fallback = true;
  // Members every request carries (provider, model, temperature, max_tokens...).
  json::object request;
};

struct PredictResult {
  json::object outputs;  // parsed, typed; empty on failure
  std::optional<AdapterParseError> parse_error;
  Status lm_error;                // the call itself failed
  std::string raw_reply;          // the last reply text
  std::string adapter;            // the adapter whose parse succeeded (or failed last)
  std::vector<Message> messages;  // the last request's messages
  int lm_calls = 0;
  int cache_hits = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  bool ok() const { return lm_error.ok() && !parse_error; }
  // "adapter_parse_error: ..." / the LM error, for a step's failure reason.
  std::string error_message() const;
};

class Predict {
 public:
  Predict(Signature signature, std::vector<Example> demos, PredictOptions options, std::string id);
  // `provider` routes the call (the provider wired for the step); empty = the default one.
  PredictResult run(const Example& inputs, Completion& lm, const CompletionCall& call,
                    const std::string& provider = {}) const;
  // The request JSON for the messages (what run() sends), for render and tests.
  std::string request_json(const std::vector<Message>& messages, const Adapter& adapter,
                           const std::string& provider = {}) const;
  const Signature& signature() const { return signature_; }
  const std::vector<Example>& demos() const { return demos_; }
  const std::string& id() const { return id_; }

 private:
  Signature signature_;
  std::vector<Example> demos_;
  PredictOptions options_;
  std::string id_;
};

}  // namespace pipeline::dspy
