// libFuzzer target: a host config file's bytes through the YAML structure check and the host
// config parser (providers, step_providers, cache, plugins, limits).
#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/host_config.hpp>
#include <pipeline/config/yaml_json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pipeline::Diagnostics diags;
  auto root = pipeline::load_yaml_string(text, "host.yaml", diags);
  if (!root) return 0;
  pipeline::HostConfig config = pipeline::HostConfig::builtin();
  pipeline::apply_host_config(*root, "host.yaml", config, diags);
  (void)config.provider_for("claude");
  (void)diags.format();
  return 0;
}
