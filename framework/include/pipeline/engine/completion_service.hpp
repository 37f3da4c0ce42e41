// The host's "pipeline.completion" service: step plugins ask for a chat completion and the host
// routes it to the provider instance wired for the step, counting tokens and cost on the way.
// Later layers (response cache, fallback chain) sit here, so every step gets them.
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/json.hpp>
#include <pipeline/plugins/instances.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace pipeline {

class CacheManager;

struct CompletionTotals {
  int64_t calls = 0;
  int64_t cache_hits = 0;  // answered from the response cache: no provider call, no cost
  int64_t failures = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0.0;
};

class CompletionService {
 public:
  // A provider instance and what identifies its answers besides the request: the component,
  // its base URL and its settings (a scripted mock answers differently from a real model).
  struct Provider {
    std::shared_ptr<ProviderInstance> instance;
    std::string component;
    std::string base_url;
    json::object settings;
  };

  // `default_provider` serves requests that name no "provider". With `cache`, every successful
  // answer is stored and identical requests are answered from it (errors are never stored).
  CompletionService(std::map<std::string, Provider> providers, std::string default_provider,
                    std::shared_ptr<CacheManager> cache = nullptr);
  CompletionService(const CompletionService&) = delete;
  CompletionService& operator=(const CompletionService&) = delete;

  // The ABI struct to register with PluginHost under PL_SERVICE_COMPLETION.
  const pl_service_header* service() const { return &c_.header; }

  CallResult complete(std::string_view request_json, const CallContext& ctx);
  CompletionTotals totals() const;

 private:
  static int32_t c_complete(void* self, const pl_call_context* ctx, const char* req, size_t len,
                            pl_buffer* out, pl_buffer* err);
  CallResult call_provider(const Provider& p, const std::string& name,
                           std::string_view request_json, const CallContext& ctx);
  std::map<std::string, Provider> providers_;
  std::string default_provider_;
  std::shared_ptr<CacheManager> cache_;
  pl_completion_service_v1 c_{};
  mutable std::mutex mu_;
  CompletionTotals totals_;
};

}  // namespace pipeline
