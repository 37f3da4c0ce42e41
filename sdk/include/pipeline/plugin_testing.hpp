// Test a plugin's .so without the pipeline host: loads it as the host does (RTLD_NOW |
// RTLD_LOCAL, entry points, ABI version, required functions), then creates components and calls
// them. Header-only, needs only the SDK and libdl; use it from any test framework.
//
//   pipeline::sdk::testing::TestHost host("build/libpipeline_shout.so");
//   auto shout = host.create(PL_KIND_PROVIDER, "shout", "{}");
//   std::string reply = shout.complete(R"({"messages":[{"role":"user","content":"hi"}]})");
//   host.on_complete([](std::string_view request) { return R"({"text":"scripted"})"; });
//
// Every failure throws TestError with the reason (the loader's, or the plugin's own message).
#pragma once

#include <pipeline/plugin.h>

#include <dlfcn.h>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::sdk::testing {

class TestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A pl_buffer that appends to a std::string.
class TestBuffer {
 public:
  TestBuffer() : c_{sizeof(pl_buffer), 0, &text_, &append_to, &clear_text} {}
  TestBuffer(const TestBuffer&) = delete;
  TestBuffer& operator=(const TestBuffer&) = delete;
  pl_buffer* get() { return &c_; }
  const std::string& str() const { return text_; }

 private:
  static void append_to(pl_buffer* self, const char* data, size_t size) {
    static_cast<std::string*>(self->owner)->append(data, size);
  }
  static void clear_text(pl_buffer* self) { static_cast<std::string*>(self->owner)->clear(); }
  std::string text_;
  pl_buffer c_;
};

// One created component instance; destroyed with the object. Methods match the kind's vtable.
class TestInstance {
 public:
  TestInstance(const pl_component_header* header, void* handle) : h_(header), handle_(handle) {}
  ~TestInstance() {
    if (handle_ != nullptr) h_->destroy(handle_);
  }
  TestInstance(TestInstance&& o) noexcept
      : h_(o.h_), handle_(std::exchange(o.handle_, nullptr)), streamed_(std::move(o.streamed_)) {}
  TestInstance& operator=(TestInstance&&) = delete;

  // Providers: the response JSON.
  std::string complete(std::string_view request_json) {
    auto& v = vtable<pl_provider_vtable>(PL_KIND_PROVIDER);
    return call([&](pl_buffer* out, pl_buffer* err) {
      return v.complete(handle_, context(), request_json.data(), request_json.size(), out, err);
    });
  }
  // Step types: the output JSON ({"output": ..., "set_variables": ...}).
  std::string execute(std::string_view input_json) {
    auto& v = vtable<pl_step_vtable>(PL_KIND_STEP);
    return call([&](pl_buffer* out, pl_buffer* err) {
      return v.execute(handle_, context(), input_json.data(), input_json.size(), out, err);
    });
  }
  // Optimizers: the program JSON.
  std::string optimize(std::string_view task_json) {
    auto& v = vtable<pl_optimizer_vtable>(PL_KIND_OPTIMIZER);
    return call([&](pl_buffer* out, pl_buffer* err) {
      return v.optimize(handle_, context(), task_json.data(), task_json.size(), out, err);
    });
  }
  // Metrics sinks.
  void record(std::string_view record_json) {
    auto& v = vtable<pl_metrics_sink_vtable>(PL_KIND_METRICS_SINK);
    call([&](pl_buffer*, pl_buffer* err) {
      return v.record(handle_, record_json.data(), record_json.size(), err);
    });
  }
  void flush() {
    auto& v = vtable<pl_metrics_sink_vtable>(PL_KIND_METRICS_SINK);
    if (v.flush != nullptr) call([&](pl_buffer*, pl_buffer* err) { return v.flush(handle_, err); });
  }
  // Cache backends: nullopt on a miss.
  std::optional<std::string> get(std::string_view key) {
    auto& v = vtable<pl_cache_vtable>(PL_KIND_CACHE);
    TestBuffer out, err;
    int32_t st = v.get(handle_, key.data(), key.size(), out.get(), err.get());
    if (st == PL_NOT_FOUND) return std::nullopt;
    if (st != PL_OK) throw TestError("get failed (" + std::to_string(st) + "): " + err.str());
    return out.str();
  }
  void put(std::string_view key, std::string_view value, int64_t ttl_ms = 0) {
    auto& v = vtable<pl_cache_vtable>(PL_KIND_CACHE);
    call([&](pl_buffer*, pl_buffer* err) {
      return v.put(handle_, key.data(), key.size(), value.data(), value.size(), ttl_ms, err);
    });
  }
  void erase(std::string_view key) {
    auto& v = vtable<pl_cache_vtable>(PL_KIND_CACHE);
    call([&](pl_buffer*, pl_buffer* err) { return v.erase(handle_, key.data(), key.size(), err); });
  }
  // What the last call streamed through ctx->emit, as "kind:data" lines.
  const std::string& streamed() const { return streamed_; }

 private:
  template <class Vtable>
  const Vtable& vtable(uint32_t kind) const {
    if (h_->kind != kind) throw TestError(std::string("'") + h_->name + "' is not of that kind");
    return *reinterpret_cast<const Vtable*>(h_);
  }
  const pl_call_context* context() {
    streamed_.clear();
    ctx_ = pl_call_context{sizeof(pl_call_context), 0, this, &not_cancelled, &no_deadline, &emit};
    return &ctx_;
  }
  template <class Fn>
  std::string call(Fn fn) {
    TestBuffer out, err;
    int32_t st = fn(out.get(), err.get());
    if (st != PL_OK) {
      throw TestError(std::string(h_->name) + " failed (status " + std::to_string(st) +
                      "): " + err.str());
    }
    return out.str();
  }
  static int32_t not_cancelled(const pl_call_context*) { return 0; }
  static int64_t no_deadline(const pl_call_context*) { return -1; }
  static int32_t emit(const pl_call_context* self, const char* kind, size_t kind_len,
                      const char* data, size_t data_len) {
    auto* me = static_cast<TestInstance*>(self->host_data);
    me->streamed_.append(kind, kind_len).append(":").append(data, data_len).append("\n");
    return PL_OK;
  }

  const pl_component_header* h_;
  void* handle_;
  pl_call_context ctx_{};
  std::string streamed_;
};

class TestHost {
 public:
  explicit TestHost(const std::string& library_file) : api_{} {
    api_.struct_size = sizeof(pl_host_api);
    api_.abi_major = PL_ABI_MAJOR;
    api_.abi_minor = PL_ABI_MINOR;
    api_.host = reinterpret_cast<pl_host*>(this);
    api_.log = &log_line;
    api_.register_component = &register_one;
    api_.get_service = &find_service;
    completion_.header = {sizeof(completion_), 1, this};
    completion_.complete = &complete_through_host;

    dl_.reset(dlopen(library_file.c_str(), RTLD_NOW | RTLD_LOCAL));
    if (!dl_) throw TestError("cannot load " + library_file + ": " + dlerror());
    auto query = symbol<pl_query_fn>(PL_QUERY_SYMBOL);
    auto init = symbol<pl_init_fn>(PL_INIT_SYMBOL);
    if (query == nullptr || init == nullptr) {
      throw TestError(library_file + " lacks " PL_QUERY_SYMBOL " or " PL_INIT_SYMBOL);
    }
    const pl_plugin_info* info = query();
    if (info == nullptr || info->abi_major != PL_ABI_MAJOR || info->abi_minor > PL_ABI_MINOR) {
      throw TestError(library_file + ": no plugin info, or an ABI this SDK does not speak");
    }
    name_ = info->name != nullptr ? info->name : "";
    TestBuffer err;
    initializing_ = true;
    int32_t st = init(&api_, err.get());
    initializing_ = false;
    if (st != PL_OK || !refusal_.empty()) {
      throw TestError(library_file + ": init failed (status " + std::to_string(st) + ")" +
                      (err.str().empty() ? "" : ": " + err.str()) + refusal_);
    }
  }
  ~TestHost() {
    if (dl_) {
      if (auto shutdown = symbol<pl_shutdown_fn>(PL_SHUTDOWN_SYMBOL)) shutdown();
    }
  }
  TestHost(const TestHost&) = delete;
  TestHost& operator=(const TestHost&) = delete;

  const std::string& plugin_name() const { return name_; }
  // (kind, name) of every registered component, in registration order.
  std::vector<std::pair<uint32_t, std::string>> components() const {
    std::vector<std::pair<uint32_t, std::string>> out;
    for (const auto* h : components_) out.emplace_back(h->kind, h->name);
    return out;
  }
  // Creates an instance; throws with the plugin's message when it refuses the config.
  TestInstance create(uint32_t kind, const std::string& name, std::string_view config_json = "{}") {
    for (const auto* h : components_) {
      if (h->kind != kind || name != h->name) continue;
      TestBuffer err;
      void* handle = nullptr;
      int32_t st = h->create(h->user_data, &api_, config_json.data(), config_json.size(), &handle,
                             err.get());
      if (st != PL_OK || handle == nullptr) {
        throw TestError(name + " refused its config (status " + std::to_string(st) +
                        "): " + err.str());
      }
      return TestInstance(h, handle);
    }
    throw TestError("no component '" + name + "' of kind " + std::to_string(kind) + " registered");
  }
  // Scripts the host's "pipeline.completion" service for steps that call it: request -> response.
  void on_complete(std::function<std::string(std::string_view request_json)> fn) {
    complete_ = std::move(fn);
  }
  // Every line the plugin logged, as "level: message".
  const std::vector<std::string>& logs() const { return logs_; }

 private:
  struct DlClose {
    void operator()(void* h) const { dlclose(h); }
  };
  template <class Fn>
  Fn symbol(const char* name) const {
    void* p = dlsym(dl_.get(), name);
    Fn fn = nullptr;
    std::memcpy(&fn, &p, sizeof(p));
    return fn;
  }
  static TestHost& self(pl_host* h) { return *reinterpret_cast<TestHost*>(h); }
  static void log_line(pl_host* h, int32_t level, const char* message, size_t len) {
    self(h).logs_.push_back(std::to_string(level) + ": " + std::string(message, len));
  }
  static int32_t register_one(pl_host* h, const pl_component_header* c) {
    TestHost& me = self(h);
    std::string why;
    if (!me.initializing_) why = "registered outside init";
    if (why.empty() && (c == nullptr || c->struct_size < sizeof(pl_component_header))) {
      why = "a truncated component header";
    }
    if (why.empty() && (c->name == nullptr || c->create == nullptr || c->destroy == nullptr)) {
      why = "a component without name, create or destroy";
    }
    if (!why.empty()) {
      me.refusal_ += "; " + why;
      return PL_INVALID_ARGUMENT;
    }
    me.components_.push_back(c);
    return PL_OK;
  }
  static const pl_service_header* find_service(pl_host* h, const char* id, uint32_t version) {
    TestHost& me = self(h);
    if (id != nullptr && std::string_view(id) == PL_SERVICE_COMPLETION && version <= 1 &&
        me.complete_) {
      return &me.completion_.header;
    }
    return nullptr;
  }
  static int32_t complete_through_host(void* host_data, const pl_call_context*, const char* req,
                                       size_t len, pl_buffer* out, pl_buffer* err) {
    auto* me = static_cast<TestHost*>(host_data);
    try {
      std::string r = me->complete_(std::string_view(req, len));
      out->append(out, r.data(), r.size());
      return PL_OK;
    } catch (const std::exception& e) {
      err->append(err, e.what(), std::strlen(e.what()));
      return PL_INTERNAL;
    }
  }

  std::unique_ptr<void, DlClose> dl_;
  pl_host_api api_;
  pl_completion_service_v1 completion_{};
  std::function<std::string(std::string_view)> complete_;
  std::string name_;
  bool initializing_ = false;
  std::string refusal_;
  std::vector<const pl_component_header*> components_;
  std::vector<std::string> logs_;
};

}  // namespace pipeline::sdk::testing
