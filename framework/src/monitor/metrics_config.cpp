#include <pipeline/config/yaml_json.hpp>
#include <pipeline/monitor/metrics_config.hpp>

#include <cstdlib>
#include <set>

namespace pipeline {

namespace fs = std::filesystem;

fs::path MetricsConfig::default_history_path() {
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    dir = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = fs::path(home) / ".local" / "share";
  } else {
    dir = fs::temp_directory_path();
  }
  return dir / "pipeline" / "history.sqlite";
}

MetricsConfig MetricsConfig::builtin_default() {
  MetricsConfig m;
  m.where = {"<built-in>", 0, 0};
  m.sinks["history"] = {"history", "sqlite",
                        json::object{{"path", default_history_path().string()}}, m.where};
  m.history = "history";
  return m;
}

namespace {

const std::set<std::string> kKeys = {"sinks", "history", "queue_size", "flush_timeout_ms"};

// A non-negative integer scalar at `n`, or an error there.
std::optional<std::int64_t> integer_at(const YAML::Node& n, const std::string& what,
                                       std::int64_t min, const std::string& file,
                                       Diagnostics& diags) {
  json::value v = is_scalar(n) ? yaml_to_json(n) : json::value();
  if (v.is_int64() && v.get_int64() >= min) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  diags.error(location_of(n, file), what + ": expected an integer >= " + std::to_string(min) +
                                        ", found " +
                                        (is_scalar(n) ? "'" + n.Scalar() + "'" : yaml_kind(n)));
  return std::nullopt;
}

}  // namespace

MetricsConfig parse_metrics_config(const YAML::Node& node, const std::string& file,
                                   Diagnostics& diags) {
  MetricsConfig m;
  m.builtin = false;
  m.where = location_of(node, file);
  if (is_null(node)) return m;  // `metrics:` with nothing: no sinks at all
  if (!is_map(node)) {
    diags.error(m.where, "metrics: expected a map, found " + yaml_kind(node));
    return m;
  }
  bool history_given = false;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (!kKeys.count(key)) {
      diags.warning(location_of(kv.first, file),
                    "unknown key 'metrics." + key +
                        "' (known: flush_timeout_ms, history, queue_size, sinks); ignored");
      continue;
    }
    if (key == "sinks") {
      if (is_null(v)) continue;
      if (!is_map(v)) {
        diags.error(location_of(v, file),
                    "metrics.sinks: expected a map of named sink "
                    "instances, found " +
                        yaml_kind(v));
        continue;
      }
      for (const auto& s : v) {
        const std::string name = s.first.Scalar();
        SourceLocation where = location_of(s.first, file);
        if (!is_map(s.second)) {
          diags.error(where, "metrics.sinks." + name + ": expected a map with 'plugin', found " +
                                 yaml_kind(s.second));
          continue;
        }
        json::object settings = yaml_to_object(s.second);
        const auto* plugin = settings.if_contains("plugin");
        if (plugin == nullptr || !plugin->is_string() || plugin->get_string().empty()) {
          diags.error(where, "metrics.sinks." + name +
                                 ": missing 'plugin' (the metrics sink component, e.g. sqlite)");
          continue;
        }
        std::string component(plugin->get_string());
        settings.erase("plugin");
        // A relative file setting is relative to the config file, like plugin search paths:
        // `path` (sqlite), `textfile` and `listen_file` (prometheus).
        for (const char* key : {"path", "textfile", "listen_file"}) {
          if (auto* path = settings.if_contains(key);
              path && path->is_string() && !file.empty() && file[0] != '<') {
            fs::path p = std::string(path->get_string());
            if (!p.empty() && p.is_relative()) {
              (*path) = (fs::path(file).parent_path() / p).lexically_normal().string();
            }
          }
        }
        m.sinks[name] = {name, std::move(component), std::move(settings), where};
      }
    } else if (key == "history") {
      history_given = true;
      if (is_null(v)) continue;  // `history: null`: no history sink
      if (!is_scalar(v)) {
        diags.error(location_of(v, file),
                    "metrics.history: expected the name of a sink, found " + yaml_kind(v));
        continue;
      }
      m.history = v.Scalar();
    } else if (key == "queue_size") {
      if (auto n = integer_at(v, "metrics.queue_size", 1, file, diags))
        m.queue_size = static_cast<std::size_t>(*n);
    } else if (key == "flush_timeout_ms") {
      if (auto n = integer_at(v, "metrics.flush_timeout_ms", 0, file, diags))
        m.flush_timeout_ms = *n;
    }
  }
  // Without `history:`, a sink named `history` is the history (as in the built-in default).
  if (!history_given && m.sinks.count("history")) m.history = "history";
  if (!m.history.empty() && !m.sinks.count(m.history)) {
    std::string known;
    for (const auto& [n, _] : m.sinks) known += (known.empty() ? "" : ", ") + n;
    diags.error(key_location(node, "history", file),
                "metrics.history names sink '" + m.history +
                    "', which is not declared under metrics.sinks (declared: " +
                    (known.empty() ? "none" : known) + ")");
    m.history.clear();
  }
  return m;
}

}  // namespace pipeline
