// Runs one step along the fallback chain's step grain (variant and cached_response entries;
// provider entries act per call, in the FallbackLayer): the router's variant first, then, for
// each failure, what FallbackChain::next says, until one answers or the error propagates. Every
// hop goes to the step's CallLog (add_hop) and to the log; a success is kept for
// cached_response when the chain has that entry.
//
//   FallbackRunner runner(chain, &step_results);
//   FallbackOutcome out = runner.run("dspy_optimized", {"triage", "classify", &input}, calls,
//       [&](const std::string& variant) -> VariantRun { return run_as(variant); });
//   if (!out.doc) ... the step failed with the last error ...
#pragma once

#include <pipeline/hybrid/fallback_chain.hpp>
#include <pipeline/hybrid/step_result_cache.hpp>
#include <pipeline/json.hpp>
#include <pipeline/llm/call_record.hpp>
#include <pipeline/status.hpp>

#include <functional>
#include <string>

namespace pipeline {

// What one attempt at a variant gave.
struct VariantRun {
  Result<json::object> doc;  // the step's output document, or why it failed
  // The failure's class (docs/abi.md "Error", dspy_unavailable, optimization_failed); empty:
  // step_error.
  std::string error_class{};
};

struct FallbackOutcome {
  Result<json::object> doc;
  std::string variant;      // the variant that answered (or failed last)
  bool from_cache = false;  // answered by cached_response
  std::string error_class;  // the class of the error the step failed with; empty on success
};

// Identifies a step's inputs for cached_response.
struct StepInputs {
  std::string workflow;
  std::string step;
  const json::object* input = nullptr;
};

class FallbackRunner {
 public:
  using RunVariant = std::function<VariantRun(const std::string& variant)>;

  // `results` may be nullptr (no cached_response store: that entry always misses).
  FallbackRunner(const FallbackChain& chain, const StepResultCache* results)
      : chain_(chain), results_(results) {}

  FallbackOutcome run(const std::string& variant, const StepInputs& inputs, CallLog& log,
                      const RunVariant& run_variant) const;

 private:
  const FallbackChain& chain_;
  const StepResultCache* results_;
};

}  // namespace pipeline
