// libFuzzer target: a workflow file's bytes through the YAML structure check, yaml-cpp and the
// workflow parser, the way `pipeline validate` reads one. Anything may be refused; nothing may
// crash, hang or grow without bound.
#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pipeline::Diagnostics diags;
  auto root = pipeline::load_yaml_string(text, "fuzz.yaml", diags);
  if (!root) return 0;
  auto wf = pipeline::parse_workflow(*root, "fuzz.yaml", diags);
  if (wf) (void)pipeline::json::serialize(wf->raw);
  (void)diags.format();
  return 0;
}
