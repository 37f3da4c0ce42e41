// The host's "pipeline.completion" service: step plugins ask for a chat completion and the host
// routes it to the provider instance wired for the step, counting tokens and cost on the way.
// Later layers (response cache, fallback chain) sit here, so every step gets them.
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/plugins/instances.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace pipeline {

struct CompletionTotals {
  int64_t calls = 0;
  int64_t failures = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0.0;
};

class CompletionService {
 public:
  // `default_provider` serves requests that name no "provider".
  CompletionService(std::map<std::string, std::shared_ptr<ProviderInstance>> providers,
                    std::string default_provider);
  CompletionService(const CompletionService&) = delete;
  CompletionService& operator=(const CompletionService&) = delete;

  // The ABI struct to register with PluginHost under PL_SERVICE_COMPLETION.
  const pl_service_header* service() const { return &c_.header; }

  CallResult complete(std::string_view request_json, const CallContext& ctx);
  CompletionTotals totals() const;

 private:
  static int32_t c_complete(void* self, const pl_call_context* ctx, const char* req, size_t len,
                            pl_buffer* out, pl_buffer* err);
  std::map<std::string, std::shared_ptr<ProviderInstance>> providers_;
  std::string default_provider_;
  pl_completion_service_v1 c_{};
  mutable std::mutex mu_;
  CompletionTotals totals_;
};

}  // namespace pipeline
