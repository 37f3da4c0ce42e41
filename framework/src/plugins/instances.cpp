#include <pipeline/plugins/instances.hpp>

#include <pipeline/plugin.hpp>

namespace pipeline {

using sdk::StringBuffer;

ComponentInstance::ComponentInstance(std::shared_ptr<const Component> component, void* handle)
    : component_(std::move(component)), handle_(handle) {
  if (!component_->concurrent()) serial_ = std::make_unique<std::mutex>();
}

ComponentInstance::~ComponentInstance() {
  if (handle_ != nullptr && component_->header().destroy != nullptr) {
    component_->header().destroy(handle_);
  }
}

template <class Fn>
CallResult ComponentInstance::invoke(Fn&& fn) const {
  const std::string& plugin = component_->library()->info().name;
  StringBuffer out, err;
  std::unique_lock<std::mutex> lock;
  if (serial_) lock = std::unique_lock(*serial_);
  CallResult r;
  try {
    r.status = fn(handle_, out.get(), err.get());
  } catch (const std::exception& e) {
    return {PL_INTERNAL, {}, "plugin '" + plugin + "' threw across the ABI: " + e.what()};
  } catch (...) {
    return {PL_INTERNAL, {}, "plugin '" + plugin + "' threw across the ABI"};
  }
  r.body = out.take();
  r.error = err.take();
  if (r.status < PL_OK || r.status > PL_UNAUTHENTICATED) {
    r.error = "plugin '" + plugin + "' returned unknown status " + std::to_string(r.status) +
              (r.error.empty() ? "" : ": " + r.error);
    r.status = PL_INTERNAL;
  }
  return r;
}

CallResult StepInstance::execute(std::string_view in, const CallContext& ctx) const {
  return invoke([&](void* h, pl_buffer* out, pl_buffer* err) {
    return vtable<pl_step_vtable>().execute(h, ctx.raw(), in.data(), in.size(), out, err);
  });
}

CallResult StepInstance::validate(std::string_view step_json) const {
  auto fn = vtable<pl_step_vtable>().validate;
  if (fn == nullptr) return {PL_OK, "[]", {}};
  return invoke([&](void* h, pl_buffer* out, pl_buffer*) {
    return fn(h, step_json.data(), step_json.size(), out);
  });
}

CallResult ProviderInstance::complete(std::string_view req, const CallContext& ctx) const {
  return invoke([&](void* h, pl_buffer* out, pl_buffer* err) {
    return vtable<pl_provider_vtable>().complete(h, ctx.raw(), req.data(), req.size(), out, err);
  });
}

CallResult OptimizerInstance::optimize(std::string_view task, const CallContext& ctx) const {
  return invoke([&](void* h, pl_buffer* out, pl_buffer* err) {
    return vtable<pl_optimizer_vtable>().optimize(h, ctx.raw(), task.data(), task.size(), out, err);
  });
}

CallResult CacheInstance::get(std::string_view key) const {
  return invoke([&](void* h, pl_buffer* out, pl_buffer* err) {
    return vtable<pl_cache_vtable>().get(h, key.data(), key.size(), out, err);
  });
}

Status CacheInstance::put(std::string_view key, std::string_view value, int64_t ttl_ms) const {
  return invoke([&](void* h, pl_buffer*, pl_buffer* err) {
           return vtable<pl_cache_vtable>().put(h, key.data(), key.size(), value.data(),
                                                value.size(), ttl_ms, err);
         })
      .to_status();
}

Status CacheInstance::erase(std::string_view key) const {
  return invoke([&](void* h, pl_buffer*, pl_buffer* err) {
           return vtable<pl_cache_vtable>().erase(h, key.data(), key.size(), err);
         })
      .to_status();
}

Status CacheInstance::erase_prefix(std::string_view prefix) const {
  return invoke([&](void* h, pl_buffer*, pl_buffer* err) {
           return vtable<pl_cache_vtable>().erase_prefix(h, prefix.data(), prefix.size(), err);
         })
      .to_status();
}

std::string CacheInstance::stats() const {
  auto fn = vtable<pl_cache_vtable>().stats;
  if (fn == nullptr) return "{}";
  CallResult r = invoke([&](void* h, pl_buffer* out, pl_buffer*) { return fn(h, out); });
  return r.ok() && !r.body.empty() ? r.body : "{}";
}

Status CacheInstance::health() const {
  auto fn = vtable<pl_cache_vtable>().health;
  if (fn == nullptr) return {};
  CallResult r = invoke([&](void* h, pl_buffer* out, pl_buffer*) { return fn(h, out); });
  if (r.ok()) return {};
  return Status(StatusCode(r.status), r.error.empty() ? r.body : r.error);
}

Status MetricsSinkInstance::record(std::string_view rec) const {
  return invoke([&](void* h, pl_buffer*, pl_buffer* err) {
           return vtable<pl_metrics_sink_vtable>().record(h, rec.data(), rec.size(), err);
         })
      .to_status();
}

Status MetricsSinkInstance::flush() const {
  auto fn = vtable<pl_metrics_sink_vtable>().flush;
  if (fn == nullptr) return {};
  return invoke([&](void* h, pl_buffer*, pl_buffer* err) { return fn(h, err); }).to_status();
}

bool MetricsSinkInstance::has_query() const {
  return vtable<pl_metrics_sink_vtable>().query != nullptr;
}

CallResult MetricsSinkInstance::query(std::string_view q) const {
  auto fn = vtable<pl_metrics_sink_vtable>().query;
  if (fn == nullptr) return {PL_UNIMPLEMENTED, {}, "metrics sink has no query side"};
  return invoke(
      [&](void* h, pl_buffer* out, pl_buffer* err) { return fn(h, q.data(), q.size(), out, err); });
}

}  // namespace pipeline
