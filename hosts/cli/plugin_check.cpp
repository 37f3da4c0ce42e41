#include "plugin_check.hpp"

#include "commands.hpp"

#include <pipeline/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>
#include <pipeline/plugins/vtable_layout.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace pipeline::cli {

namespace {

// The config an author documents first: the schema's first example, else its default, else {}.
std::string sample_config(const json::value* schema) {
  if (schema == nullptr || !schema->is_object()) return "{}";
  const json::object& s = schema->get_object();
  if (const auto* ex = s.if_contains("examples");
      ex && ex->is_array() && !ex->get_array().empty()) {
    if (ex->get_array()[0].is_object()) return json::serialize(ex->get_array()[0]);
  }
  if (const auto* def = s.if_contains("default"); def && def->is_object()) {
    return json::serialize(*def);
  }
  return "{}";
}

Status create_once(PluginHost& host, uint32_t kind, const std::string& name,
                   const std::string& config) {
  switch (kind) {
    case PL_KIND_STEP:
      return host.create_step(name, config).status();
    case PL_KIND_PROVIDER:
      return host.create_provider(name, config).status();
    case PL_KIND_OPTIMIZER:
      return host.create_optimizer(name, config).status();
    case PL_KIND_CACHE:
      return host.create_cache(name, config).status();
    case PL_KIND_METRICS_SINK:
      return host.create_metrics_sink(name, config).status();
    default:
      return invalid_argument("unknown kind");
  }
}

}  // namespace

int check_plugin(const std::filesystem::path& file, bool as_json, std::ostream& out) {
  json::array problems, notes, components;
  json::object plugin;
  auto opened = PluginLibrary::open(file);
  int exit_code = kExitOk;
  if (!opened) {
    problems.push_back(json::string(opened.status().message()));
    exit_code = kExitBadInput;
  } else {
    const PluginInfo& info = (*opened)->info();
    plugin = json::object{
        {"name", info.name},
        {"version", info.version},
        {"description", info.description},
        {"abi", std::to_string(info.abi_major) + "." + std::to_string(info.abi_minor)}};
    PluginHost host;
    if (Status st = host.load_file(file); !st.ok()) problems.push_back(json::string(st.message()));
    for (const auto& c : host.components()) {
      const std::string where = component_kind_name(c->kind()) + " '" + c->name() + "'";
      const std::size_t host_size = vtable_size(c->kind());
      if (c->declared_size() < host_size) {
        notes.push_back(json::string(where + ": vtable of " + std::to_string(c->declared_size()) +
                                     " bytes (an older ABI " + "minor; this host's is " +
                                     std::to_string(host_size) +
                                     "): the members past it count as absent"));
      }
      json::value schema = nullptr;
      if (!c->config_schema().empty()) {
        auto parsed = parse_json(c->config_schema());
        if (!parsed || !parsed->is_object()) {
          problems.push_back(json::string(where + ": its config schema is not a JSON object"));
        } else {
          schema = *parsed;
        }
      }
      const std::string sample = sample_config(schema.is_null() ? nullptr : &schema);
      Status created = create_once(host, c->kind(), c->name(), sample);
      if (!created.ok()) {
        problems.push_back(json::string(where + ": create() with the sample config " + sample +
                                        " failed: " + created.message()));
      }
      components.push_back(json::object{{"kind", component_kind_name(c->kind())},
                                        {"name", c->name()},
                                        {"version", c->version()},
                                        {"description", c->description()},
                                        {"concurrent", c->concurrent()},
                                        {"config_schema", schema},
                                        {"sample_config", sample},
                                        {"created", created.ok()}});
    }
    if (components.empty() && problems.empty()) {
      problems.push_back(json::string("registers no components"));
    }
    if (!problems.empty()) exit_code = kExitStepFailed;
  }

  if (as_json) {
    out << json::serialize(json::object{{"file", file.string()},
                                        {"plugin", plugin.empty() ? json::value(nullptr) : plugin},
                                        {"components", components},
                                        {"problems", problems},
                                        {"notes", notes},
                                        {"exit_code", exit_code}})
        << std::endl;
    return exit_code;
  }
  out << file.string() << ": ";
  if (exit_code == kExitBadInput) {
    out << "not a loadable plugin\n";
  } else {
    out << "plugin " << to_text(plugin.at("name")) << " " << to_text(plugin.at("version"))
        << " (ABI " << to_text(plugin.at("abi")) << ")\n";
  }
  for (const auto& v : components) {
    const auto& c = v.get_object();
    out << "  " << to_text(c.at("kind")) << " " << to_text(c.at("name")) << " "
        << to_text(c.at("version")) << "\n    config schema: "
        << (c.at("config_schema").is_null() ? "none" : json::serialize(c.at("config_schema")))
        << "\n    create with " << to_text(c.at("sample_config")) << ": "
        << (c.at("created").as_bool() ? "ok" : "FAILED") << "\n";
  }
  for (const auto& n : notes) out << "  note: " << to_text(n) << "\n";
  for (const auto& p : problems) out << "  problem: " << to_text(p) << "\n";
  out << problems.size() << " problem(s)\n";
  return exit_code;
}

}  // namespace pipeline::cli
