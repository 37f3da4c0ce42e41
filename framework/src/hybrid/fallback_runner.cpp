#include <pipeline/hybrid/fallback_runner.hpp>

#include <spdlog/spdlog.h>

namespace pipeline {

FallbackOutcome FallbackRunner::run(const std::string& variant, const StepInputs& inputs,
                                    CallLog& log, const RunVariant& run_variant) const {
  const bool keep = chain_.enabled() && chain_.config().has_cached_response() &&
                    results_ != nullptr && results_->available() && inputs.input != nullptr;
  auto hop = [&](const std::string& from, const std::string& to, const std::string& cls,
                 const std::string& message) {
    spdlog::warn("step '{}': fallback {} -> {} ({}): {}", inputs.step, from, to, cls, message);
    log.add_hop({from, to, cls, message});
  };
  FallbackPosition at = chain_.start(variant);
  VariantRun attempt = run_variant(at.variant);
  for (;;) {
    if (attempt.doc) {
      if (keep) results_->put(inputs.workflow, inputs.step, *inputs.input, *attempt.doc);
      return {std::move(attempt.doc), at.variant, false, {}};
    }
    const std::string cls = attempt.error_class.empty() ? "step_error" : attempt.error_class;
    const std::string message = attempt.doc.status().message();
    std::optional<FallbackMove> move = chain_.next(at, cls);
    while (move && move->entry.kind == FallbackEntry::Kind::kCachedResponse) {
      std::optional<json::object> last;
      if (keep) last = results_->get(inputs.workflow, inputs.step, *inputs.input);
      if (last) {
        hop(at.variant, "cached_response", cls, message);
        return {std::move(*last), at.variant, true, {}};
      }
      spdlog::info("step '{}': no cached response for these inputs", inputs.step);
      move = chain_.next(move->position, cls);
    }
    if (!move) return {std::move(attempt.doc), at.variant, false, cls};
    hop(at.variant, move->entry.name, cls, message);
    at = move->position;
    attempt = run_variant(at.variant);
  }
}

}  // namespace pipeline
