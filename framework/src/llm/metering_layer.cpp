#include <pipeline/llm/metering_layer.hpp>

#include <chrono>

namespace pipeline {

MeteringLayer::MeteringLayer(std::unique_ptr<Completion> next) : next_(std::move(next)) {}

CallResult MeteringLayer::complete(std::string_view request_json, const CompletionCall& call) {
  CallRecord scratch;
  CallRecord& rec = call.record != nullptr ? *call.record : scratch;
  auto t0 = std::chrono::steady_clock::now();
  CallResult r = next_->complete(request_json, CompletionCall{call.ctx, call.frame, &rec});
  rec.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::lock_guard lock(mu_);
  totals_.add(rec);
  return r;
}

CallTotals MeteringLayer::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

}  // namespace pipeline
