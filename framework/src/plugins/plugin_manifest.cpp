#include <pipeline/plugins/plugin_manifest.hpp>

#include <pipeline/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace pipeline {

namespace fs = std::filesystem;

namespace {

bool is_plugin_file(const fs::path& p) {
  return p.filename().string().rfind("libpipeline_", 0) == 0 && p.extension() == ".so";
}

}  // namespace

std::optional<PluginManifest> PluginManifest::read_fresh(const fs::path& dir) {
  std::error_code ec;
  const fs::path file = dir / kFileName;
  auto written = fs::last_write_time(file, ec);
  if (ec) return std::nullopt;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = parse_json(text.str());
  if (!doc || !doc->is_object()) return std::nullopt;
  const auto* list = doc->get_object().if_contains("plugins");
  if (list == nullptr || !list->is_array()) return std::nullopt;
  PluginManifest m;
  std::set<std::string> listed;
  for (const auto& v : list->get_array()) {
    if (!v.is_object()) return std::nullopt;
    const json::object& o = v.get_object();
    Entry e;
    e.file = get_string(o, "file");
    e.plugin = get_string(o, "plugin");
    if (const auto* r = o.if_contains("refused"); r && r->is_bool()) e.refused = r->get_bool();
    if (const auto* cs = o.if_contains("components"); cs && cs->is_array()) {
      for (const auto& c : cs->get_array()) {
        if (!c.is_object()) return std::nullopt;
        const auto* kind = c.get_object().if_contains("kind");
        if (kind == nullptr || !kind->is_int64()) return std::nullopt;
        e.components.emplace_back(static_cast<uint32_t>(kind->get_int64()),
                                  get_string(c.get_object(), "name"));
      }
    }
    if (e.file.empty() || e.file.find('/') != std::string::npos) return std::nullopt;
    listed.insert(e.file);
    m.entries.push_back(std::move(e));
  }
  // Stale when a library is newer than the manifest, or one appeared that it does not list.
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!is_plugin_file(entry.path())) continue;
    if (!listed.count(entry.path().filename().string())) return std::nullopt;
    std::error_code tec;
    auto t = fs::last_write_time(entry.path(), tec);
    if (tec || t > written) return std::nullopt;
  }
  if (ec) return std::nullopt;
  // A listed library that was removed: also stale (its components would be promised falsely).
  for (const auto& e : m.entries) {
    if (!fs::exists(dir / e.file, ec)) return std::nullopt;
  }
  return m;
}

Status PluginManifest::write_for(const fs::path& dir) {
  PluginHost host;
  auto refused = host.load_directories({dir});
  json::array plugins;
  for (const auto& lib : host.libraries()) {
    json::array comps;
    for (const auto& c : host.components()) {
      if (c->library() != lib) continue;
      comps.push_back(json::object{{"kind", c->kind()}, {"name", c->name()}});
    }
    plugins.push_back(json::object{{"file", lib->info().file.filename().string()},
                                   {"plugin", lib->info().name},
                                   {"components", std::move(comps)}});
  }
  for (const auto& r : refused) {
    plugins.push_back(json::object{
        {"file", r.file.filename().string()}, {"refused", true}, {"components", json::array{}}});
  }
  const fs::path target = dir / kFileName;
  const fs::path tmp = dir / (std::string(kFileName) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json::serialize(json::object{{"version", 1}, {"plugins", std::move(plugins)}}) << "\n";
    if (!out) return Status(StatusCode::kUnavailable, "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec)
    return Status(StatusCode::kUnavailable,
                  "cannot write " + target.string() + ": " + ec.message());
  return {};
}

}  // namespace pipeline
