// Header-only C++ helpers for writing `pipeline` plugins on top of the C ABI in plugin.h.
//
// They write the error-prone part once: static vtables, create/destroy, buffers, and catching
// every exception at the boundary so it becomes a status code plus a message. Optional to use.
//
//   class Echo : public pipeline::sdk::Provider {
//    public:
//     using Provider::Provider;
//     std::string complete(const pipeline::sdk::CallContext&, std::string_view req) override {
//       return R"({"text":"hi","finish_reason":"stop"})";
//     }
//   };
//   PIPELINE_PLUGIN("echo", "1.0.0", "Replies hi") { r.add_provider<Echo>("echo", "1.0.0"); }
#ifndef PIPELINE_PLUGIN_HPP
#define PIPELINE_PLUGIN_HPP

#include <pipeline/plugin.h>
#include <pipeline/sdk/json_escape.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pipeline::sdk {

// An error thrown inside a plugin; the boundary turns it into `status` + message.
class Error : public std::exception {
 public:
  Error(int32_t status, std::string message) : status_(status), message_(std::move(message)) {}
  int32_t status() const noexcept { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int32_t status_;
  std::string message_;
};

// A provider failure the fallback chain can classify (docs/abi.md lists the classes).
class ProviderError : public Error {
 public:
  ProviderError(int32_t status, std::string error_class, std::string message, int http_status = 0,
                int64_t retry_after_ms = -1)
      : Error(status, std::move(message)),
        error_class_(std::move(error_class)),
        http_status_(http_status),
        retry_after_ms_(retry_after_ms) {}
  const std::string& error_class() const noexcept { return error_class_; }
  int http_status() const noexcept { return http_status_; }
  int64_t retry_after_ms() const noexcept { return retry_after_ms_; }

 private:
  std::string error_class_;
  int http_status_;
  int64_t retry_after_ms_;
};

// Appends to a caller-owned pl_buffer.
inline void append(pl_buffer* buffer, std::string_view data) {
  if (buffer != nullptr && buffer->append != nullptr)
    buffer->append(buffer, data.data(), data.size());
}

// A pl_buffer writing into a std::string this object owns; pass `&buffer.c` to C calls.
class StringBuffer {
 public:
  StringBuffer() : c_{sizeof(pl_buffer), 0, &text_, &append_to, &clear_text} {}
  StringBuffer(const StringBuffer&) = delete;
  StringBuffer& operator=(const StringBuffer&) = delete;
  pl_buffer* get() { return &c_; }
  const std::string& str() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  static void append_to(pl_buffer* self, const char* data, size_t size) {
    static_cast<std::string*>(self->owner)->append(data, size);
  }
  static void clear_text(pl_buffer* self) { static_cast<std::string*>(self->owner)->clear(); }
  std::string text_;
  pl_buffer c_;
};

// The call context of one call: cancellation, deadline, streaming.
class CallContext {
 public:
  explicit CallContext(const pl_call_context* c) : c_(c) {}
  bool cancelled() const {
    return c_ != nullptr && c_->cancelled != nullptr && c_->cancelled(c_) != 0;
  }
  // Milliseconds until the deadline, or -1 when there is none.
  int64_t deadline_ms_left() const {
    return c_ != nullptr && c_->deadline_ms_left != nullptr ? c_->deadline_ms_left(c_) : -1;
  }
  // Returns false when the consumer asked to stop.
  bool emit(std::string_view kind, std::string_view data) const {
    if (c_ == nullptr || c_->emit == nullptr) return true;
    return c_->emit(c_, kind.data(), kind.size(), data.data(), data.size()) == PL_OK;
  }
  const pl_call_context* raw() const { return c_; }

 private:
  const pl_call_context* c_;
};

// Result of a host service call.
struct ServiceResult {
  int32_t status = PL_OK;
  std::string body;   // response JSON on success
  std::string error;  // error message / JSON on failure
  bool ok() const { return status == PL_OK; }
};

// The host as seen from a plugin: logging and service lookup.
class Host {
 public:
  explicit Host(const pl_host_api* api) : api_(api) {}
  const pl_host_api* api() const { return api_; }
  void log(int32_t level, std::string_view message) const {
    if (api_ != nullptr && api_->log != nullptr)
      api_->log(api_->host, level, message.data(), message.size());
  }
  void debug(std::string_view m) const { log(PL_LOG_DEBUG, m); }
  void info(std::string_view m) const { log(PL_LOG_INFO, m); }
  void warn(std::string_view m) const { log(PL_LOG_WARN, m); }
  void error(std::string_view m) const { log(PL_LOG_ERROR, m); }

  // A service struct, or nullptr when this host has none at `min_version` or newer.
  template <class ServiceT>
  const ServiceT* service(const char* id, uint32_t min_version) const {
    if (api_ == nullptr || api_->get_service == nullptr) return nullptr;
    const pl_service_header* h = api_->get_service(api_->host, id, min_version);
    if (h == nullptr || h->struct_size < sizeof(ServiceT)) return nullptr;
    return reinterpret_cast<const ServiceT*>(h);
  }

  // The "pipeline.executor" service, or nullptr in a host without it.
  const pl_executor_service_v1* executor() const {
    return service<pl_executor_service_v1>(PL_SERVICE_EXECUTOR, 1);
  }

  // A chat completion through the host (cache, fallback, metrics apply).
  ServiceResult complete(const CallContext& ctx, std::string_view request_json) const {
    const auto* svc = service<pl_completion_service_v1>(PL_SERVICE_COMPLETION, 1);
    if (svc == nullptr) return {PL_UNIMPLEMENTED, {}, "host has no pipeline.completion service"};
    StringBuffer out, err;
    ServiceResult r;
    r.status = svc->complete(svc->header.host_data, ctx.raw(), request_json.data(),
                             request_json.size(), out.get(), err.get());
    r.body = out.take();
    r.error = err.take();
    return r;
  }

 private:
  const pl_host_api* api_;
};

// A child scope of the calling step in the "pipeline.executor" service (RAII: closed on
// destruction). JSON documents go in and out as strings; failures throw Error.
//
//   ExecutorScope scope(host(), ctx, R"({"variables":{"item":1}})");
//   std::string r = scope.run_steps(R"({"field":"steps"})");
class ExecutorScope {
 public:
  ExecutorScope(const Host& host, const CallContext& ctx, std::string_view options_json = "{}")
      : svc_(host.executor()), ctx_(ctx) {
    if (svc_ == nullptr) throw Error(PL_UNIMPLEMENTED, "host has no pipeline.executor service");
    StringBuffer err;
    int32_t st = svc_->open_scope(svc_->header.host_data, ctx.raw(), options_json.data(),
                                  options_json.size(), &id_, err.get());
    if (st != PL_OK) throw Error(st, err.take());
  }
  ExecutorScope(const ExecutorScope&) = delete;
  ExecutorScope& operator=(const ExecutorScope&) = delete;
  ~ExecutorScope() {
    if (id_ != 0) svc_->close_scope(svc_->header.host_data, id_, nullptr);
  }
  std::string run_steps(std::string_view request_json) const {
    StringBuffer out, err;
    int32_t st = svc_->run_steps(svc_->header.host_data, ctx_.raw(), id_, request_json.data(),
                                 request_json.size(), out.get(), err.get());
    if (st != PL_OK) throw Error(st, err.take());
    return out.take();
  }
  std::string evaluate(std::string_view request_json) const {
    StringBuffer out, err;
    int32_t st = svc_->evaluate(svc_->header.host_data, id_, request_json.data(),
                                request_json.size(), out.get(), err.get());
    if (st != PL_OK) throw Error(st, err.take());
    return out.take();
  }
  // Closes the scope now; returns {"variables", "results"} of what the scope itself set.
  std::string close() {
    StringBuffer state;
    if (id_ != 0) svc_->close_scope(svc_->header.host_data, id_, state.get());
    id_ = 0;
    return state.take();
  }

 private:
  const pl_executor_service_v1* svc_;
  const CallContext& ctx_;
  uint64_t id_ = 0;
};

// The "pipeline.program" service (ABI 1.1) for one optimization: construct it in optimize() with
// the context optimize() received. JSON documents go in and out as strings. run, score, evaluate
// and lm throw Error on a failed status: PL_RESOURCE_EXHAUSTED (the budget is spent) and
// PL_CANCELLED mean "stop and return the best candidate so far".
//
//   ProgramService svc(host(), ctx);
//   std::string r = svc.evaluate(R"({"candidate":{"instructions":"...","demos":[]},"set":"val"})");
class ProgramService {
 public:
  ProgramService(const Host& host, const CallContext& ctx)
      : svc_(host.service<pl_program_service_v1>(PL_SERVICE_PROGRAM, 1)), ctx_(ctx) {
    if (svc_ == nullptr)
      throw Error(PL_UNIMPLEMENTED, "host has no pipeline.program service (it needs ABI 1.1)");
  }
  std::string run(std::string_view request_json) const { return call(svc_->run, request_json); }
  std::string score(std::string_view request_json) const { return call(svc_->score, request_json); }
  std::string evaluate(std::string_view request_json) const {
    return call(svc_->evaluate, request_json);
  }
  std::string lm(std::string_view request_json) const { return call(svc_->lm, request_json); }
  // Returns false once the optimization was cancelled.
  bool progress(std::string_view event_json) const {
    return svc_->progress(svc_->header.host_data, ctx_.raw(), event_json.data(),
                          event_json.size()) == PL_OK;
  }
  std::string budget() const {
    StringBuffer out;
    svc_->budget(svc_->header.host_data, ctx_.raw(), out.get());
    return out.take();
  }

 private:
  using Fn = int32_t (*)(void*, const pl_call_context*, const char*, size_t, pl_buffer*,
                         pl_buffer*);
  std::string call(Fn fn, std::string_view request_json) const {
    StringBuffer out, err;
    int32_t st = fn(svc_->header.host_data, ctx_.raw(), request_json.data(), request_json.size(),
                    out.get(), err.get());
    if (st != PL_OK) throw Error(st, err.take());
    return out.take();
  }
  const pl_program_service_v1* svc_;
  const CallContext& ctx_;
};

namespace detail {

inline void write_error(pl_buffer* error, const std::exception& e) {
  append(error, e.what());
}

// Runs f; turns every exception into a status and a message in `error`.
template <class F>
int32_t guard(pl_buffer* error, F&& f) noexcept {
  try {
    f();
    return PL_OK;
  } catch (const Error& e) {
    append(error, e.what());
    return e.status() == PL_OK ? PL_INTERNAL : e.status();
  } catch (const std::exception& e) {
    append(error, e.what());
    return PL_INTERNAL;
  } catch (...) {
    append(error, "unknown exception in plugin");
    return PL_INTERNAL;
  }
}

// As guard, but the error is the provider's structured JSON document.
template <class F>
int32_t guard_provider(pl_buffer* error, F&& f) noexcept {
  auto doc = [](std::string_view cls, std::string_view msg, int http, int64_t retry) {
    return std::string("{\"class\":\"") + json_escape(cls) +
           "\",\"http_status\":" + std::to_string(http) +
           ",\"retry_after_ms\":" + std::to_string(retry) + ",\"message\":\"" + json_escape(msg) +
           "\"}";
  };
  try {
    f();
    return PL_OK;
  } catch (const ProviderError& e) {
    append(error, doc(e.error_class(), e.what(), e.http_status(), e.retry_after_ms()));
    return e.status() == PL_OK ? PL_INTERNAL : e.status();
  } catch (const Error& e) {
    append(error, doc("bad_response", e.what(), 0, -1));
    return e.status() == PL_OK ? PL_INTERNAL : e.status();
  } catch (const std::exception& e) {
    append(error, doc("bad_response", e.what(), 0, -1));
    return PL_INTERNAL;
  } catch (...) {
    append(error, doc("bad_response", "unknown exception in plugin", 0, -1));
    return PL_INTERNAL;
  }
}

}  // namespace detail

// Base of every component instance: it knows its host.
class Component {
 public:
  Component(const pl_host_api* host, std::string_view /*config_json*/) : host_(host) {}
  virtual ~Component() = default;
  const Host& host() const { return host_; }

 private:
  Host host_;
};

class Step : public Component {
 public:
  using Component::Component;
  // Returns the output document {"output": ..., "set_variables": {...}}.
  virtual std::string execute(const CallContext& ctx, std::string_view input_json) = 0;
  // Returns a JSON array of diagnostics ("[]" when the step config is fine).
  virtual std::string validate(std::string_view /*step_json*/) { return "[]"; }
};

class Provider : public Component {
 public:
  using Component::Component;
  // Returns the response document; throws ProviderError on failure.
  virtual std::string complete(const CallContext& ctx, std::string_view request_json) = 0;
};

class Optimizer : public Component {
 public:
  using Component::Component;
  virtual std::string optimize(const CallContext& ctx, std::string_view task_json) = 0;
};

class CacheBackend : public Component {
 public:
  using Component::Component;
  // nullopt on a miss; throw Error(PL_UNAVAILABLE, ...) when the level cannot answer.
  virtual std::optional<std::string> get(std::string_view key) = 0;
  virtual void put(std::string_view key, std::string_view value, int64_t ttl_ms) = 0;
  virtual void erase(std::string_view key) = 0;
  virtual void erase_prefix(std::string_view prefix) = 0;
  virtual std::string stats() = 0;
  // Empty when healthy, else the reason.
  virtual std::string health() { return {}; }
};

class MetricsSink : public Component {
 public:
  using Component::Component;
  virtual void record(std::string_view record_json) = 0;
  virtual void flush() {}
};

namespace detail {

template <class T>
int32_t create(void*, const pl_host_api* host, const char* config, size_t config_len, void** out,
               pl_buffer* error) {
  return guard(error, [&] { *out = new T(host, std::string_view(config, config_len)); });
}
template <class T>
void destroy(void* instance) {
  delete static_cast<T*>(instance);
}

inline pl_component_header header(uint32_t size, uint32_t kind, const char* name,
                                  const char* version, uint32_t flags, const char* description,
                                  const char* config_schema_json) {
  pl_component_header h{};
  h.struct_size = size;
  h.kind = kind;
  h.flags = flags;
  h.name = name;
  h.version = version;
  h.description = description;
  h.config_schema_json = config_schema_json;
  return h;
}

template <class T>
const pl_component_header* step_vtable(const char* name, const char* version, uint32_t flags,
                                       const char* description, const char* config_schema_json) {
  static pl_step_vtable v = [&] {
    pl_step_vtable t{};
    t.header =
        header(sizeof(t), PL_KIND_STEP, name, version, flags, description, config_schema_json);
    t.header.create = &create<T>;
    t.header.destroy = &destroy<T>;
    t.execute = [](void* inst, const pl_call_context* ctx, const char* in, size_t n, pl_buffer* out,
                   pl_buffer* err) -> int32_t {
      return guard(err, [&] {
        append(out, static_cast<T*>(inst)->execute(CallContext(ctx), std::string_view(in, n)));
      });
    };
    t.validate = [](void* inst, const char* in, size_t n, pl_buffer* out) -> int32_t {
      return guard(out,
                   [&] { append(out, static_cast<T*>(inst)->validate(std::string_view(in, n))); });
    };
    return t;
  }();
  return &v.header;
}

template <class T>
const pl_component_header* provider_vtable(const char* name, const char* version, uint32_t flags,
                                           const char* description,
                                           const char* config_schema_json) {
  static pl_provider_vtable v = [&] {
    pl_provider_vtable t{};
    t.header =
        header(sizeof(t), PL_KIND_PROVIDER, name, version, flags, description, config_schema_json);
    t.header.create = &create<T>;
    t.header.destroy = &destroy<T>;
    t.complete = [](void* inst, const pl_call_context* ctx, const char* in, size_t n,
                    pl_buffer* out, pl_buffer* err) -> int32_t {
      return guard_provider(err, [&] {
        append(out, static_cast<T*>(inst)->complete(CallContext(ctx), std::string_view(in, n)));
      });
    };
    return t;
  }();
  return &v.header;
}

template <class T>
const pl_component_header* optimizer_vtable(const char* name, const char* version, uint32_t flags,
                                            const char* description,
                                            const char* config_schema_json) {
  static pl_optimizer_vtable v = [&] {
    pl_optimizer_vtable t{};
    t.header =
        header(sizeof(t), PL_KIND_OPTIMIZER, name, version, flags, description, config_schema_json);
    t.header.create = &create<T>;
    t.header.destroy = &destroy<T>;
    t.optimize = [](void* inst, const pl_call_context* ctx, const char* in, size_t n,
                    pl_buffer* out, pl_buffer* err) -> int32_t {
      return guard(err, [&] {
        append(out, static_cast<T*>(inst)->optimize(CallContext(ctx), std::string_view(in, n)));
      });
    };
    return t;
  }();
  return &v.header;
}

template <class T>
const pl_component_header* cache_vtable(const char* name, const char* version, uint32_t flags,
                                        const char* description, const char* config_schema_json) {
  static pl_cache_vtable v = [&] {
    pl_cache_vtable t{};
    t.header =
        header(sizeof(t), PL_KIND_CACHE, name, version, flags, description, config_schema_json);
    t.header.create = &create<T>;
    t.header.destroy = &destroy<T>;
    t.get = [](void* inst, const char* k, size_t kn, pl_buffer* value, pl_buffer* err) -> int32_t {
      bool found = false;
      int32_t st = guard(err, [&] {
        auto v = static_cast<T*>(inst)->get(std::string_view(k, kn));
        if (v) {
          found = true;
          append(value, *v);
        }
      });
      return st != PL_OK ? st : (found ? PL_OK : PL_NOT_FOUND);
    };
    t.put = [](void* inst, const char* k, size_t kn, const char* val, size_t vn, int64_t ttl,
               pl_buffer* err) -> int32_t {
      return guard(err, [&] {
        static_cast<T*>(inst)->put(std::string_view(k, kn), std::string_view(val, vn), ttl);
      });
    };
    t.erase = [](void* inst, const char* k, size_t kn, pl_buffer* err) -> int32_t {
      return guard(err, [&] { static_cast<T*>(inst)->erase(std::string_view(k, kn)); });
    };
    t.erase_prefix = [](void* inst, const char* k, size_t kn, pl_buffer* err) -> int32_t {
      return guard(err, [&] { static_cast<T*>(inst)->erase_prefix(std::string_view(k, kn)); });
    };
    t.stats = [](void* inst, pl_buffer* out) -> int32_t {
      return guard(out, [&] { append(out, static_cast<T*>(inst)->stats()); });
    };
    t.health = [](void* inst, pl_buffer* out) -> int32_t {
      std::string reason;
      int32_t st = guard(out, [&] { reason = static_cast<T*>(inst)->health(); });
      if (st != PL_OK) return st;
      if (reason.empty()) return PL_OK;
      append(out, reason);
      return PL_UNAVAILABLE;
    };
    return t;
  }();
  return &v.header;
}

template <class T>
const pl_component_header* sink_vtable(const char* name, const char* version, uint32_t flags,
                                       const char* description, const char* config_schema_json) {
  static pl_metrics_sink_vtable v = [&] {
    pl_metrics_sink_vtable t{};
    t.header = header(sizeof(t), PL_KIND_METRICS_SINK, name, version, flags, description,
                      config_schema_json);
    t.header.create = &create<T>;
    t.header.destroy = &destroy<T>;
    t.record = [](void* inst, const char* r, size_t n, pl_buffer* err) -> int32_t {
      return guard(err, [&] { static_cast<T*>(inst)->record(std::string_view(r, n)); });
    };
    t.flush = [](void* inst, pl_buffer* err) -> int32_t {
      return guard(err, [&] { static_cast<T*>(inst)->flush(); });
    };
    return t;
  }();
  return &v.header;
}

}  // namespace detail

// Collects a plugin's components during init. Names and versions must be string literals (they
// are kept by pointer for the library's lifetime).
class Registrar {
 public:
  explicit Registrar(const pl_host_api* host) : host_(host) {}
  const Host& host() const { return host_; }

  template <class T>
  void add_step(const char* name, const char* version, uint32_t flags = PL_FLAG_CONCURRENT,
                const char* description = nullptr, const char* config_schema_json = nullptr) {
    add(detail::step_vtable<T>(name, version, flags, description, config_schema_json));
  }
  template <class T>
  void add_provider(const char* name, const char* version, uint32_t flags = PL_FLAG_CONCURRENT,
                    const char* description = nullptr, const char* config_schema_json = nullptr) {
    add(detail::provider_vtable<T>(name, version, flags, description, config_schema_json));
  }
  template <class T>
  void add_optimizer(const char* name, const char* version, uint32_t flags = PL_FLAG_CONCURRENT,
                     const char* description = nullptr, const char* config_schema_json = nullptr) {
    add(detail::optimizer_vtable<T>(name, version, flags, description, config_schema_json));
  }
  template <class T>
  void add_cache(const char* name, const char* version, uint32_t flags = PL_FLAG_CONCURRENT,
                 const char* description = nullptr, const char* config_schema_json = nullptr) {
    add(detail::cache_vtable<T>(name, version, flags, description, config_schema_json));
  }
  template <class T>
  void add_metrics_sink(const char* name, const char* version, uint32_t flags = PL_FLAG_CONCURRENT,
                        const char* description = nullptr,
                        const char* config_schema_json = nullptr) {
    add(detail::sink_vtable<T>(name, version, flags, description, config_schema_json));
  }

 private:
  void add(const pl_component_header* h) {
    int32_t st = host_.api()->register_component(host_.api()->host, h);
    if (st != PL_OK) throw Error(st, std::string("cannot register component '") + h->name + "'");
  }
  Host host_;
};

namespace detail {
inline int32_t run_init(const pl_host_api* host, pl_buffer* error, void (*fn)(Registrar&)) {
  if (host == nullptr || host->struct_size < sizeof(pl_host_api) ||
      host->abi_major != PL_ABI_MAJOR) {
    append(error, "host API table is missing or of another ABI major version");
    return PL_FAILED_PRECONDITION;
  }
  return guard(error, [&] {
    Registrar r(host);
    fn(r);
  });
}
}  // namespace detail

}  // namespace pipeline::sdk

// Defines the two entry points; the braces that follow are the body of a function taking
// `pipeline::sdk::Registrar& r`, which registers the plugin's components.
#define PIPELINE_PLUGIN(NAME, VERSION, DESCRIPTION)                                         \
  static void pipeline_plugin_register_(::pipeline::sdk::Registrar& r);                     \
  extern "C" PL_EXPORT const pl_plugin_info* pipeline_plugin_query_v1(void) {               \
    static const pl_plugin_info info = {                                                    \
        sizeof(pl_plugin_info), PL_ABI_MAJOR, PL_ABI_MINOR, 0, NAME, VERSION, DESCRIPTION}; \
    return &info;                                                                           \
  }                                                                                         \
  extern "C" PL_EXPORT int32_t pipeline_plugin_init_v1(const pl_host_api* host,             \
                                                       pl_buffer* error) {                  \
    return ::pipeline::sdk::detail::run_init(host, error, &pipeline_plugin_register_);      \
  }                                                                                         \
  static void pipeline_plugin_register_(::pipeline::sdk::Registrar& r)

#endif  // PIPELINE_PLUGIN_HPP
