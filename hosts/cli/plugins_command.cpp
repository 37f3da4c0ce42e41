// `pipeline plugins [--json]`: every plugin found on the search path and what it provides.
// Exit 0 all loaded, 1 some library was refused, 2 the config is bad.
// `pipeline plugins --check FILE`: one library, before deploying it (see plugin_check.hpp).
#include "commands.hpp"
#include "host_setup.hpp"
#include "plugin_check.hpp"

#include <pipeline/plugins/plugin_manifest.hpp>

#include <iostream>

namespace pipeline::cli {

void add_plugins_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string config;
    std::string check;
    std::string write_manifest;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("plugins", "List the plugins found and their components");
  cmd->add_option("-c,--config", opts->config, "Host config YAML (for plugins.search_paths)");
  cmd->add_flag("--json", opts->json, "Print one JSON document on stdout");
  cmd->add_option("--check", opts->check,
                  "Load one plugin library, check its ABI and components, create each with a "
                  "sample config (exit 0 clean, 1 problems, 2 not a plugin)");
  cmd->add_option("--write-manifest", opts->write_manifest,
                  "Write DIR/plugins.manifest.json (done at build and install time)");
  cmd->callback([opts, &exit_code] {
    setup_logging(true);
    if (!opts->write_manifest.empty()) {
      Status st = PluginManifest::write_for(opts->write_manifest);
      if (!st.ok()) std::cerr << "pipeline plugins: " << st.message() << "\n";
      exit_code = st.ok() ? kExitOk : kExitBadInput;
      return;
    }
    if (!opts->check.empty()) {
      exit_code = check_plugin(opts->check, opts->json, std::cout);
      return;
    }
    Diagnostics diags;
    HostConfig cfg = resolve_host_config(opts->config, diags);
    auto runtime = Runtime::create(std::move(cfg), diags);
    PluginHost& host = runtime->plugins();
    json::array plugins;
    for (const auto& lib : host.libraries()) {
      const PluginInfo& info = lib->info();
      json::array comps;
      for (const auto& c : host.components()) {
        if (c->library() != lib) continue;
        comps.push_back(json::object{{"kind", component_kind_name(c->kind())},
                                     {"name", c->name()},
                                     {"version", c->version()},
                                     {"description", c->description()},
                                     {"concurrent", c->concurrent()}});
      }
      plugins.push_back(json::object{
          {"name", info.name},
          {"version", info.version},
          {"description", info.description},
          {"abi", std::to_string(info.abi_major) + "." + std::to_string(info.abi_minor)},
          {"file", info.file.string()},
          {"components", std::move(comps)}});
    }
    if (opts->json) {
      std::cout << json::serialize(
                       json::object{{"plugins", plugins}, {"diagnostics", diagnostics_json(diags)}})
                << std::endl;
    } else {
      print_diagnostics(diags);
      for (const auto& p : plugins) {
        const auto& o = p.get_object();
        std::cout << to_text(o.at("name")) << " " << to_text(o.at("version")) << " (ABI "
                  << to_text(o.at("abi")) << ")  " << to_text(o.at("file")) << "\n";
        for (const auto& c : o.at("components").get_array()) {
          const auto& co = c.get_object();
          std::cout << "    " << to_text(co.at("kind")) << " " << to_text(co.at("name")) << " "
                    << to_text(co.at("version"));
          if (!co.at("description").get_string().empty()) {
            std::cout << "  - " << to_text(co.at("description"));
          }
          std::cout << "\n";
        }
      }
      if (plugins.empty()) std::cout << "no plugins found\n";
    }
    // A refused library is a plugin that does not work: a deployment check must see it fail.
    exit_code = diags.has_errors()                ? kExitBadInput
                : !runtime->load_errors().empty() ? kExitStepFailed
                                                  : kExitOk;
  });
}

}  // namespace pipeline::cli
