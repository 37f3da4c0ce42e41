#include <pipeline/plugins/plugin_library.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

namespace pipeline {

// dlopen directly rather than through a wrapper: only dlerror() says why a load failed (the
// missing dependency's name, "invalid ELF header", "Is a directory"), and an author needs that.
struct PluginLibrary::Handle {
  void* dl = nullptr;
  ~Handle() {
    if (dl != nullptr) dlclose(dl);
  }
  void* symbol(const char* name) const { return dlsym(dl, name); }
};

namespace {

std::string last_dl_error() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown dynamic loader error";
}

// Converts a dlsym result to a function pointer (the one cast POSIX sanctions for dlsym).
template <class Fn>
Fn as_function(void* p) {
  Fn fn = nullptr;
  static_assert(sizeof(fn) == sizeof(p));
  std::memcpy(&fn, &p, sizeof(p));
  return fn;
}

}  // namespace

PluginLibrary::PluginLibrary(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}

PluginLibrary::~PluginLibrary() {
  if (initialized_ && shutdown_ != nullptr) shutdown_();
}

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::open(const std::filesystem::path& file) {
  const std::string where = file.string();
  auto handle = std::make_unique<Handle>();
  // RTLD_LOCAL keeps each plugin's symbols (and its copies of libraries) to itself; RTLD_NOW
  // surfaces a missing dependency here, with the file name, rather than mid-run.
  dlerror();
  handle->dl = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle->dl == nullptr) {
    std::string why = last_dl_error();
    // glibc starts the message with the file name; we already name it once.
    if (why.rfind(where + ": ", 0) == 0) why.erase(0, where.size() + 2);
    return Status(StatusCode::kFailedPrecondition, "cannot load plugin " + where + ": " + why);
  }
  auto query = as_function<pl_query_fn>(handle->symbol(PL_QUERY_SYMBOL));
  if (query == nullptr) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where +
                      " has no " PL_QUERY_SYMBOL " symbol: not a pipeline plugin of ABI major 1");
  }
  auto init = as_function<pl_init_fn>(handle->symbol(PL_INIT_SYMBOL));
  if (init == nullptr) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where + " has no " PL_INIT_SYMBOL " symbol");
  }
  const pl_plugin_info* raw = query();
  if (raw == nullptr || raw->struct_size < offsetof(pl_plugin_info, description)) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where + ": query returned no or truncated metadata");
  }
  // Copy what the plugin knows, zero-fill the rest (an older minor has a smaller struct).
  pl_plugin_info info{};
  std::memcpy(&info, raw, std::min<std::size_t>(raw->struct_size, sizeof(info)));
  if (info.abi_major != PL_ABI_MAJOR) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where + " was built for ABI " + std::to_string(info.abi_major) + "." +
                      std::to_string(info.abi_minor) + ", this host speaks ABI " +
                      std::to_string(PL_ABI_MAJOR) + "." + std::to_string(PL_ABI_MINOR) +
                      ": rebuild it against this SDK");
  }
  if (info.abi_minor > PL_ABI_MINOR) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where + " needs ABI 1." + std::to_string(info.abi_minor) +
                      " but this host speaks ABI 1." + std::to_string(PL_ABI_MINOR) +
                      ": upgrade pipeline");
  }
  if (info.name == nullptr || *info.name == '\0') {
    return Status(StatusCode::kFailedPrecondition, "plugin " + where + " has no name");
  }
  auto shutdown = as_function<pl_shutdown_fn>(handle->symbol(PL_SHUTDOWN_SYMBOL));

  std::shared_ptr<PluginLibrary> lib(new PluginLibrary(std::move(handle)));
  lib->info_.name = info.name;
  lib->info_.version = info.version != nullptr ? info.version : "";
  lib->info_.description = info.description != nullptr ? info.description : "";
  lib->info_.abi_major = info.abi_major;
  lib->info_.abi_minor = info.abi_minor;
  lib->info_.file = file;
  lib->init_ = init;
  lib->shutdown_ = shutdown;
  return lib;
}

}  // namespace pipeline
