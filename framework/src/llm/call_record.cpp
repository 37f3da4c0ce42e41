#include <pipeline/llm/call_record.hpp>

namespace pipeline {

void CallTotals::add(const CallRecord& r) {
  if (r.cache_hit) {
    ++cache_hits;
  } else if (r.attempts > 0 || !r.failed) {
    ++calls;  // a call that failed before reaching a provider (bad request) made no call
  }
  if (r.failed) ++failures;
  input_tokens += r.input_tokens;
  output_tokens += r.output_tokens;
  cost_usd += r.cost_usd;
  attempts += r.attempts;
  fallback_hops += r.fallback_hops;
  latency_ms += r.latency_ms;
}

void CallTotals::add(const CallTotals& t) {
  calls += t.calls;
  cache_hits += t.cache_hits;
  failures += t.failures;
  input_tokens += t.input_tokens;
  output_tokens += t.output_tokens;
  cost_usd += t.cost_usd;
  attempts += t.attempts;
  fallback_hops += t.fallback_hops;
  latency_ms += t.latency_ms;
}

void CallLog::add(const CallRecord& r) {
  {
    std::lock_guard lock(mu_);
    totals_.add(r);
    if (r.failed) {
      last_error_class_ = r.error_class;
    } else {
      provider_ = r.provider;
      model_ = r.model;
    }
  }
  if (parent_ != nullptr) parent_->add(r);
}

CallTotals CallLog::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

std::string CallLog::provider() const {
  std::lock_guard lock(mu_);
  return provider_;
}

std::string CallLog::model() const {
  std::lock_guard lock(mu_);
  return model_;
}

std::string CallLog::last_error_class() const {
  std::lock_guard lock(mu_);
  return last_error_class_;
}

void CallLog::add_hop(const FallbackHop& hop) {
  {
    std::lock_guard lock(mu_);
    hops_.push_back(hop);
  }
  if (parent_) parent_->add_hop(hop);
}

std::vector<FallbackHop> CallLog::hops() const {
  std::lock_guard lock(mu_);
  return hops_;
}

}  // namespace pipeline
