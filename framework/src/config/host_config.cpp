#include <pipeline/config/host_config.hpp>
#include <pipeline/config/yaml_json.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace pipeline {

namespace fs = std::filesystem;

json::object HostConfig::builtin_cache() {
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    dir = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = fs::path(home) / ".cache";
  } else {
    dir = fs::temp_directory_path();
  }
  dir /= "pipeline";
  json::array levels;
  levels.push_back(json::object{{"name", "memory"},
                                {"backend", "memory"},
                                {"config", json::object{{"max_bytes", 64 * 1024 * 1024}}}});
  levels.push_back(
      json::object{{"name", "sqlite"},
                   {"backend", "sqlite"},
                   {"config", json::object{{"path", (dir / "responses.sqlite").string()}}}});
  return json::object{{"mode", "on"}, {"levels", std::move(levels)}};
}

HostConfig HostConfig::builtin() {
  HostConfig cfg;
  cfg.providers["mock"] = {"mock", "mock", {}, {"<built-in>", 0, 0}};
  cfg.step_providers["default"] = "mock";
  cfg.cache = builtin_cache();
  cfg.metrics = MetricsConfig::builtin_default();
  return cfg;
}

std::string HostConfig::provider_for(const std::string& step_type) const {
  if (auto it = step_providers.find(step_type); it != step_providers.end()) return it->second;
  if (auto it = step_providers.find("default"); it != step_providers.end()) return it->second;
  return {};
}

namespace {

const std::set<std::string> kHostKeys = {"plugins", "providers", "step_providers", "steps",
                                         "cache",   "metrics",   "fallback"};

bool expect_map(const YAML::Node& n, const std::string& what, const std::string& file,
                Diagnostics& diags) {
  if (is_map(n)) return true;
  diags.error(location_of(n, file), what + ": expected a map, found " + yaml_kind(n));
  return false;
}

json::object section(const YAML::Node& n, const std::string& what, const std::string& file,
                     Diagnostics& diags) {
  if (!expect_map(n, what, file, diags)) return {};
  return yaml_to_object(n);
}

}  // namespace

void apply_host_config(const YAML::Node& root, const std::string& file, HostConfig& cfg,
                       Diagnostics& diags) {
  if (!root.IsDefined() || is_null(root)) return;
  if (!expect_map(root, "host config", file, diags)) return;
  fs::path base =
      file.empty() || file[0] == '<' ? fs::current_path() : fs::path(file).parent_path();
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (!kHostKeys.count(key)) {
      diags.warning(location_of(kv.first, file),
                    "unknown host config key '" + key +
                        "' (known: cache, fallback, metrics, plugins, providers, step_providers, "
                        "steps); ignored");
      continue;
    }
    if (key == "plugins") {
      if (!expect_map(v, "plugins", file, diags)) continue;
      for (const auto& p : v) {
        const std::string pk = p.first.Scalar();
        if (pk == "search_paths" || pk == "load") {
          if (!is_list(p.second)) {
            diags.error(location_of(p.second, file),
                        "plugins." + pk + ": expected a list, found " + yaml_kind(p.second));
            continue;
          }
          for (const auto& e : p.second) {
            if (!is_scalar(e)) {
              diags.error(location_of(e, file), "plugins." + pk + ": expected a string");
              continue;
            }
            if (pk == "load") {
              cfg.plugin_allowlist.push_back(e.Scalar());
            } else {
              fs::path path = e.Scalar();
              if (!path.is_absolute()) path = base / path;
              // A typo here silently hides plugins; still kept, the folder may appear later.
              std::error_code ec;
              if (!fs::is_directory(path, ec)) {
                diags.warning(location_of(e, file), "plugins.search_paths: '" + e.Scalar() + "' (" +
                                                        path.lexically_normal().string() +
                                                        ") is not an existing folder");
              }
              cfg.plugin_search_paths.push_back(path);
            }
          }
        } else {
          diags.warning(location_of(p.first, file),
                        "unknown key 'plugins." + pk + "' (known: search_paths, load); ignored");
        }
      }
    } else if (key == "providers") {
      if (!expect_map(v, "providers", file, diags)) continue;
      for (const auto& p : v) {
        const std::string name = p.first.Scalar();
        SourceLocation where = location_of(p.first, file);
        if (!is_map(p.second)) {
          diags.error(where, "providers." + name + ": expected a map with 'plugin', found " +
                                 yaml_kind(p.second));
          continue;
        }
        json::object settings = yaml_to_object(p.second);
        auto* plugin = settings.if_contains("plugin");
        if (plugin == nullptr || !plugin->is_string() || plugin->get_string().empty()) {
          diags.error(where, "providers." + name +
                                 ": missing 'plugin' (the provider component, e.g. mock, "
                                 "anthropic, gemini, openai)");
          continue;
        }
        std::string component(plugin->get_string());
        settings.erase("plugin");
        cfg.providers[name] = {name, component, std::move(settings), where};
      }
    } else if (key == "step_providers") {
      if (!expect_map(v, "step_providers", file, diags)) continue;
      for (const auto& p : v) {
        if (!is_scalar(p.second)) {
          diags.error(location_of(p.second, file),
                      "step_providers." + p.first.Scalar() + ": expected a provider name");
          continue;
        }
        cfg.step_providers[p.first.Scalar()] = p.second.Scalar();
      }
    } else if (key == "steps") {
      if (!expect_map(v, "steps", file, diags)) continue;
      for (const auto& p : v) {
        cfg.step_settings[p.first.Scalar()] =
            section(p.second, "steps." + p.first.Scalar(), file, diags);
      }
    } else if (key == "cache") {
      cfg.cache = section(v, "cache", file, diags);
      cfg.cache_is_builtin = false;
    } else if (key == "metrics") {
      cfg.metrics = parse_metrics_config(v, file, diags);
    } else if (key == "fallback") {
      cfg.fallback = parse_fallback_config(v, file, diags);
    }
  }
  // Every wiring must name a declared instance (the chain's too: a workflow's `host:` may
  // declare the instance its chain names, so this runs after the whole map is read).
  if (root["fallback"].IsDefined()) {
    std::set<std::string> declared;
    for (const auto& [n, _] : cfg.providers) declared.insert(n);
    check_fallback_providers(cfg.fallback, declared, diags);
  }
  for (const auto& [type, instance] : cfg.step_providers) {
    if (!cfg.providers.count(instance)) {
      std::string known;
      for (const auto& [n, _] : cfg.providers) known += (known.empty() ? "" : ", ") + n;
      diags.error(key_location(root["step_providers"], type, file),
                  "step_providers." + type + " names provider '" + instance +
                      "', which is not declared under providers (declared: " +
                      (known.empty() ? "none" : known) + ")");
    }
  }
}

HostConfig load_host_config(const fs::path& file, Diagnostics& diags) {
  HostConfig cfg = HostConfig::builtin();
  cfg.source = file.string();
  auto doc = load_yaml_file(file, diags);
  if (!doc) return cfg;
  apply_host_config(*doc, file.string(), cfg, diags);
  return cfg;
}

void force_mock_providers(HostConfig& cfg) {
  if (!cfg.providers.count("mock")) cfg.providers["mock"] = {"mock", "mock", {}, {}};
  for (auto& [type, instance] : cfg.step_providers) {
    auto it = cfg.providers.find(instance);
    if (it != cfg.providers.end() && it->second.component != "mock") instance = "mock";
  }
  // A live backup would demand its key and reach the network: mock mode hops to mocks only.
  auto& chain = cfg.fallback.chain;
  chain.erase(std::remove_if(chain.begin(), chain.end(),
                             [&](const FallbackEntry& e) {
                               if (e.kind != FallbackEntry::Kind::kProvider) return false;
                               auto it = cfg.providers.find(e.name);
                               return it == cfg.providers.end() || it->second.component != "mock";
                             }),
              chain.end());
  cfg.step_providers["default"] =
      cfg.step_providers.count("default") &&
              cfg.providers.at(cfg.step_providers["default"]).component == "mock"
          ? cfg.step_providers["default"]
          : "mock";
}

}  // namespace pipeline
