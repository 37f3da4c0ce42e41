#define BOOST_DLL_USE_STD_FS
#include <pipeline/plugins/plugin_library.hpp>

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstring>

namespace pipeline {

struct PluginLibrary::Handle {
  boost::dll::shared_library lib;
};

PluginLibrary::PluginLibrary(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}

PluginLibrary::~PluginLibrary() {
  if (initialized_ && shutdown_ != nullptr) shutdown_();
}

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::open(const std::filesystem::path& file) {
  const std::string where = file.string();
  auto handle = std::make_unique<Handle>();
  std::error_code ec;
  // RTLD_LOCAL keeps each plugin's symbols (and its copies of libraries) to itself; RTLD_NOW
  // surfaces a missing dependency here, with the file name, rather than mid-run.
  handle->lib.load(file, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) {
    return Status(StatusCode::kFailedPrecondition,
                  "cannot load plugin " + where + ": " + ec.message());
  }
  if (!handle->lib.has(PL_QUERY_SYMBOL)) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where +
                      " has no " PL_QUERY_SYMBOL " symbol: not a pipeline plugin of ABI major 1");
  }
  if (!handle->lib.has(PL_INIT_SYMBOL)) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + where + " has no " PL_INIT_SYMBOL " symbol");
  }
  auto query = handle->lib.get<const pl_plugin_info*()>(PL_QUERY_SYMBOL);
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
  auto init = handle->lib.get<int32_t(const pl_host_api*, pl_buffer*)>(PL_INIT_SYMBOL);
  pl_shutdown_fn shutdown = nullptr;
  if (handle->lib.has(PL_SHUTDOWN_SYMBOL)) {
    shutdown = handle->lib.get<void()>(PL_SHUTDOWN_SYMBOL);
  }

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
