#include <pipeline/plugins/plugin_host.hpp>

#include <pipeline/plugin.hpp>
#include <pipeline/plugins/plugin_manifest.hpp>
#include <pipeline/plugins/plugin_needs.hpp>
#include <pipeline/plugins/vtable_layout.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

namespace pipeline {

namespace fs = std::filesystem;

struct PluginHost::Core {
  SecretRedactor redactor;
  std::shared_mutex mu;
  std::map<std::string, const pl_service_header*, std::less<>> services;
};

struct PluginHost::LibraryHost : std::enable_shared_from_this<PluginHost::LibraryHost> {
  std::shared_ptr<Core> core;
  std::shared_ptr<PluginLibrary> library;
  pl_host_api api{};
  PluginHost* registering = nullptr;  // set only while init runs
  std::vector<std::shared_ptr<const Component>> pending;
  Status register_error;  // the first refused registration, reported by load_file
  std::string file;
};

namespace {

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

PluginHost::PluginHost() : core_(std::make_shared<Core>()) {}

PluginHost::~PluginHost() {
  // Instances may still hold components (and through them their library and host table); those
  // unload when the last instance goes.
  std::unique_lock lock(mu_);
  by_name_.clear();
  components_.clear();
  std::unique_lock core_lock(core_->mu);
  core_->services.clear();
}

SecretRedactor& PluginHost::redactor() {
  return core_->redactor;
}
const SecretRedactor& PluginHost::redactor() const {
  return core_->redactor;
}

std::vector<fs::path> PluginHost::default_search_paths(const std::vector<fs::path>& configured) {
  std::vector<fs::path> paths = configured;
  if (const char* env = std::getenv("PIPELINE_PLUGIN_PATH")) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':')) {
      if (!item.empty()) paths.emplace_back(item);
    }
  }
  fs::path exe = executable_dir();
  if (!exe.empty()) {
    paths.push_back(exe / ".." / "lib" / "pipeline" / "plugins");
    // Run from a build tree (bin/ next to CMakeCache.txt): that build's plugins/. Found relative
    // to the binary, so an installed copy carries no path of the folder it was built in.
    std::error_code ec;
    if (fs::exists(exe / ".." / "CMakeCache.txt", ec)) paths.push_back(exe / ".." / "plugins");
  }
#ifdef PIPELINE_PLUGIN_INSTALL_DIR
  paths.emplace_back(PIPELINE_PLUGIN_INSTALL_DIR);
#endif
  return paths;
}

Status PluginHost::load_file(const fs::path& file) {
  auto opened = PluginLibrary::open(file);
  if (!opened) return opened.status();
  std::shared_ptr<PluginLibrary> lib = std::move(opened).value();
  {
    std::shared_lock lock(mu_);
    for (const auto& h : hosts_) {
      if (h->library->info().name == lib->info().name) {
        return Status(StatusCode::kAlreadyExists, "plugin '" + lib->info().name + "' from " +
                                                      file.string() + " is already loaded from " +
                                                      h->file + "; refusing the duplicate");
      }
    }
  }
  auto host = std::make_shared<LibraryHost>();
  host->core = core_;
  host->library = lib;
  host->file = file.string();
  host->api.struct_size = sizeof(pl_host_api);
  host->api.abi_major = PL_ABI_MAJOR;
  host->api.abi_minor = PL_ABI_MINOR;
  host->api.host = reinterpret_cast<pl_host*>(host.get());
  host->api.log = &c_log;
  host->api.register_component = &c_register;
  host->api.get_service = &c_get_service;

  sdk::StringBuffer err;
  host->registering = this;
  int32_t st;
  try {
    st = lib->init_fn()(&host->api, err.get());
  } catch (const std::exception& e) {
    // The ABI says init must not throw; when it does, its what() is the only reason there is.
    st = PL_INTERNAL;
    std::string why = std::string("an exception escaped init: ") + e.what();
    err.get()->append(err.get(), why.data(), why.size());
  } catch (...) {
    st = PL_INTERNAL;
    const std::string why = "an exception of unknown type escaped init";
    err.get()->append(err.get(), why.data(), why.size());
  }
  host->registering = nullptr;
  if (st != PL_OK || !host->register_error.ok()) {
    host->pending.clear();  // components hold their host: break the cycle before dropping it
    if (!host->register_error.ok()) return host->register_error;
    return Status(StatusCode::kFailedPrecondition, "plugin " + file.string() + ": init failed (" +
                                                       status_code_name(st) + ")" +
                                                       (err.str().empty() ? "" : ": " + err.str()));
  }
  lib->mark_initialized();
  std::unique_lock lock(mu_);
  for (auto& c : host->pending) {
    by_name_[{c->kind(), c->name()}] = c;
    components_.push_back(c);
  }
  host->pending.clear();
  hosts_.push_back(std::move(host));
  return {};
}

namespace {

// The folders to look in, canonical, existing and each once, in order.
std::vector<fs::path> existing_folders(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> out;
  for (const auto& dir : dirs) {
    std::error_code ec;
    fs::path canon = fs::weakly_canonical(dir, ec);
    if (ec || !fs::is_directory(canon, ec)) continue;
    if (std::find(out.begin(), out.end(), canon) == out.end()) out.push_back(canon);
  }
  return out;
}

// The libraries providing `needs`, from the folders' manifests; nullopt when a folder has no
// fresh manifest or a needed component is in none of them (then only a scan can tell, and a
// scan also gives "unknown step type" its complete list of known ones).
// Plugins an allowlist names are opened whether or not the run uses them: the config asked.
std::optional<std::vector<fs::path>> planned_files(const std::vector<fs::path>& folders,
                                                   const PluginNeeds& needs,
                                                   const std::vector<std::string>& only) {
  std::vector<fs::path> files;
  std::set<std::pair<uint32_t, std::string>> found;
  for (const auto& dir : folders) {
    auto manifest = PluginManifest::read_fresh(dir);
    if (!manifest) return std::nullopt;
    for (const auto& e : manifest->entries) {
      bool wanted = std::find(only.begin(), only.end(), e.plugin) != only.end();
      for (const auto& c : e.components) {
        if (needs.components.count(c)) {
          wanted = true;
          found.insert(c);
        }
      }
      if (wanted) files.push_back(dir / e.file);
    }
  }
  if (found.size() != needs.components.size()) return std::nullopt;
  return files;
}

}  // namespace

std::vector<PluginLoadError> PluginHost::load_directories(const std::vector<fs::path>& dirs,
                                                          const std::vector<std::string>& only,
                                                          const PluginNeeds* needs) {
  const std::vector<fs::path> folders = existing_folders(dirs);
  std::optional<std::vector<fs::path>> files;
  if (needs != nullptr && !needs->everything) files = planned_files(folders, *needs, only);
  if (!files) {
    files.emplace();
    for (const auto& dir : folders) {
      std::vector<fs::path> here;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("libpipeline_", 0) == 0 && e.path().extension() == ".so") {
          here.push_back(e.path());
        }
      }
      std::sort(here.begin(), here.end());
      files->insert(files->end(), here.begin(), here.end());
    }
  }
  std::vector<PluginLoadError> errors;
  for (const auto& f : *files) {
    if (!only.empty()) {
      // With an allowlist, a library we cannot even identify is not one the user asked for.
      auto probe = PluginLibrary::open(f);
      if (!probe || std::find(only.begin(), only.end(), (*probe)->info().name) == only.end()) {
        continue;
      }
    }
    // The first folder that provides a plugin wins; later copies are not duplicates.
    bool already = false;
    {
      std::string stem = f.filename().string();
      std::shared_lock lock(mu_);
      for (const auto& h : hosts_) {
        if (fs::path(h->file).filename() == stem) already = true;
      }
    }
    if (already) continue;
    Status st = load_file(f);
    if (!st.ok()) errors.push_back({f, st});
  }
  return errors;
}

std::vector<std::shared_ptr<PluginLibrary>> PluginHost::libraries() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<PluginLibrary>> out;
  for (const auto& h : hosts_) out.push_back(h->library);
  return out;
}

std::vector<std::shared_ptr<const Component>> PluginHost::components(uint32_t kind) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const Component>> out;
  for (const auto& c : components_) {
    if (kind == 0 || c->kind() == kind) out.push_back(c);
  }
  return out;
}

std::shared_ptr<const Component> PluginHost::find(uint32_t kind, std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = by_name_.find({kind, std::string(name)});
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginHost::names(uint32_t kind) const {
  std::vector<std::string> out;
  for (const auto& c : components(kind)) out.push_back(c->name());
  std::sort(out.begin(), out.end());
  return out;
}

Status PluginHost::register_component(LibraryHost& lib, const pl_component_header* h) {
  const std::string& file = lib.file;
  if (lib.registering != this) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin " + file + " registered a component outside init");
  }
  if (h == nullptr || h->struct_size < sizeof(pl_component_header)) {
    return invalid_argument("plugin " + file + " registered a component with a truncated header");
  }
  if (h->name == nullptr || *h->name == '\0') {
    return invalid_argument("plugin " + file + " registered a component without a name");
  }
  if (vtable_size(h->kind) == 0) {
    return invalid_argument("plugin " + file + " registered '" + h->name + "' of unknown kind " +
                            std::to_string(h->kind));
  }
  std::string missing = missing_required_function(*h);
  if (!missing.empty()) {
    return invalid_argument("plugin " + file + ": " + component_kind_name(h->kind) + " '" +
                            h->name + "' lacks the required function '" + missing + "'");
  }
  auto key = std::make_pair(h->kind, std::string(h->name));
  {
    std::shared_lock lock(mu_);
    if (auto it = by_name_.find(key); it != by_name_.end()) {
      return Status(StatusCode::kAlreadyExists,
                    "plugin " + file + ": " + component_kind_name(h->kind) + " '" + h->name +
                        "' is already provided by " + it->second->library()->info().file.string());
    }
  }
  for (const auto& p : lib.pending) {
    if (p->kind() == h->kind && p->name() == h->name) {
      return Status(StatusCode::kAlreadyExists, "plugin " + file + " registers " +
                                                    component_kind_name(h->kind) + " '" + h->name +
                                                    "' twice");
    }
  }
  lib.pending.push_back(std::make_shared<const Component>(*h, vtable_size(h->kind), lib.library,
                                                          &lib.api, lib.shared_from_this()));
  return {};
}

void PluginHost::c_log(pl_host* host, int32_t level, const char* message, size_t len) {
  auto* lib = reinterpret_cast<LibraryHost*>(host);
  std::string text = lib->core->redactor.redact(std::string_view(message, len));
  auto lvl = level <= PL_LOG_TRACE   ? spdlog::level::trace
             : level == PL_LOG_DEBUG ? spdlog::level::debug
             : level == PL_LOG_INFO  ? spdlog::level::info
             : level == PL_LOG_WARN  ? spdlog::level::warn
                                     : spdlog::level::err;
  spdlog::log(lvl, "[{}] {}", lib->library->info().name, text);
}

int32_t PluginHost::c_register(pl_host* host, const pl_component_header* component) {
  auto* lib = reinterpret_cast<LibraryHost*>(host);
  if (lib->registering == nullptr) {
    spdlog::error("plugin {} registered a component outside init; refused", lib->file);
    return PL_FAILED_PRECONDITION;
  }
  Status st = lib->registering->register_component(*lib, component);
  if (!st.ok() && lib->register_error.ok()) lib->register_error = st;
  return static_cast<int32_t>(st.code());
}

const pl_service_header* PluginHost::c_get_service(pl_host* host, const char* id,
                                                   uint32_t version) {
  if (id == nullptr) return nullptr;
  Core& core = *reinterpret_cast<LibraryHost*>(host)->core;
  std::shared_lock lock(core.mu);
  auto it = core.services.find(std::string_view(id));
  if (it == core.services.end() || it->second->version < version) return nullptr;
  return it->second;
}

void PluginHost::register_service(const std::string& id, const pl_service_header* service) {
  std::unique_lock lock(core_->mu);
  core_->services[id] = service;
}

void PluginHost::unregister_service(const std::string& id) {
  std::unique_lock lock(core_->mu);
  core_->services.erase(id);
}

const pl_service_header* PluginHost::service(const std::string& id, uint32_t min_version) const {
  std::shared_lock lock(core_->mu);
  auto it = core_->services.find(id);
  if (it == core_->services.end() || it->second->version < min_version) return nullptr;
  return it->second;
}

Result<std::pair<std::shared_ptr<const Component>, void*>> PluginHost::create_instance(
    uint32_t kind, std::string_view name, std::string_view config_json) {
  auto c = find(kind, name);
  if (!c) {
    std::string known;
    for (const auto& n : names(kind)) known += (known.empty() ? "" : ", ") + n;
    return not_found("no " + component_kind_name(kind) + " named '" + std::string(name) +
                     "' is loaded (known: " + (known.empty() ? "none" : known) + ")");
  }
  const pl_host_api* api = c->host_api();
  sdk::StringBuffer err;
  void* handle = nullptr;
  int32_t st;
  try {
    st = c->header().create(c->header().user_data, api, config_json.data(), config_json.size(),
                            &handle, err.get());
  } catch (const std::exception& e) {
    st = PL_INTERNAL;
    std::string why = std::string("an exception escaped create: ") + e.what();
    err.get()->append(err.get(), why.data(), why.size());
  } catch (...) {
    st = PL_INTERNAL;
    const std::string why = "an exception of unknown type escaped create";
    err.get()->append(err.get(), why.data(), why.size());
  }
  if (st != PL_OK || handle == nullptr) {
    if (handle != nullptr) c->header().destroy(handle);
    return Status(st == PL_OK ? StatusCode::kInternal : StatusCode(st),
                  component_kind_name(kind) + " '" + std::string(name) + "' (" +
                      c->library()->info().file.string() + ") refused its config: " +
                      core_->redactor.redact(err.str().empty() ? "no reason given" : err.str()));
  }
  return std::make_pair(c, handle);
}

template <class Instance>
static Result<std::shared_ptr<Instance>> wrap(
    Result<std::pair<std::shared_ptr<const Component>, void*>> r) {
  if (!r) return r.status();
  return std::make_shared<Instance>(r->first, r->second);
}

Result<std::shared_ptr<StepInstance>> PluginHost::create_step(std::string_view n,
                                                              std::string_view cfg) {
  return wrap<StepInstance>(create_instance(PL_KIND_STEP, n, cfg));
}
Result<std::shared_ptr<ProviderInstance>> PluginHost::create_provider(std::string_view n,
                                                                      std::string_view cfg) {
  return wrap<ProviderInstance>(create_instance(PL_KIND_PROVIDER, n, cfg));
}
Result<std::shared_ptr<OptimizerInstance>> PluginHost::create_optimizer(std::string_view n,
                                                                        std::string_view cfg) {
  return wrap<OptimizerInstance>(create_instance(PL_KIND_OPTIMIZER, n, cfg));
}
Result<std::shared_ptr<CacheInstance>> PluginHost::create_cache(std::string_view n,
                                                                std::string_view cfg) {
  return wrap<CacheInstance>(create_instance(PL_KIND_CACHE, n, cfg));
}
Result<std::shared_ptr<MetricsSinkInstance>> PluginHost::create_metrics_sink(std::string_view n,
                                                                             std::string_view cfg) {
  return wrap<MetricsSinkInstance>(create_instance(PL_KIND_METRICS_SINK, n, cfg));
}

}  // namespace pipeline
