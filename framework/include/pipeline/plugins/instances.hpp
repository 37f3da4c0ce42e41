// Host-side handles on component instances, one class per kind. Each holds its component (and so
// its library) alive, serializes calls when the component is not PL_FLAG_CONCURRENT, and turns a
// misbehaving plugin (exception, unknown status) into an error result instead of a crash.
//
//   auto p = host.create_provider("mock", "{}");
//   CallResult r = (*p)->complete(R"({"messages":[...]})", ctx);
//   if (!r.ok()) r.error;  // provider error JSON
#pragma once

#include <pipeline/plugins/call_context.hpp>
#include <pipeline/plugins/component.hpp>
#include <pipeline/status.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace pipeline {

// What one plugin call returned: its status, its output document and its error text.
struct CallResult {
  int32_t status = PL_OK;
  std::string body;
  std::string error;
  bool ok() const { return status == PL_OK; }
  Status to_status() const { return ok() ? Status{} : Status{StatusCode(status), error}; }
};

class ComponentInstance {
 public:
  ComponentInstance(std::shared_ptr<const Component> component, void* handle);
  virtual ~ComponentInstance();
  ComponentInstance(const ComponentInstance&) = delete;
  ComponentInstance& operator=(const ComponentInstance&) = delete;

  const Component& component() const { return *component_; }
  const std::string& name() const { return component_->name(); }

 protected:
  // Runs fn(handle, out, err) -> status under the instance's lock when the component is not
  // concurrent; converts exceptions escaping the plugin and out-of-range statuses into INTERNAL.
  template <class Fn>
  CallResult invoke(Fn&& fn) const;
  template <class VTable>
  const VTable& vtable() const {
    return component_->vtable<VTable>();
  }

 private:
  std::shared_ptr<const Component> component_;
  void* handle_;
  mutable std::unique_ptr<std::mutex> serial_;
};

class StepInstance : public ComponentInstance {
 public:
  using ComponentInstance::ComponentInstance;
  CallResult execute(std::string_view input_json, const CallContext& ctx) const;
  // The plugin's diagnostics JSON array ("[]" when it has no validate).
  CallResult validate(std::string_view step_json) const;
};

class ProviderInstance : public ComponentInstance {
 public:
  using ComponentInstance::ComponentInstance;
  CallResult complete(std::string_view request_json, const CallContext& ctx) const;
};

class OptimizerInstance : public ComponentInstance {
 public:
  using ComponentInstance::ComponentInstance;
  CallResult optimize(std::string_view task_json, const CallContext& ctx) const;
};

class CacheInstance : public ComponentInstance {
 public:
  using ComponentInstance::ComponentInstance;
  // status PL_OK with the value in body, PL_NOT_FOUND on a miss, anything else: level failed.
  CallResult get(std::string_view key) const;
  Status put(std::string_view key, std::string_view value, int64_t ttl_ms) const;
  Status erase(std::string_view key) const;
  Status erase_prefix(std::string_view prefix) const;
  // JSON object of the backend's counters ("{}" when it has none).
  std::string stats() const;
  Status health() const;
};

class MetricsSinkInstance : public ComponentInstance {
 public:
  using ComponentInstance::ComponentInstance;
  Status record(std::string_view record_json) const;
  Status flush() const;
  bool has_query() const;
  CallResult query(std::string_view query_json) const;
};

}  // namespace pipeline
