#include <pipeline/plugins/component.hpp>

#include <algorithm>

namespace pipeline {

std::string component_kind_name(uint32_t kind) {
  switch (kind) {
    case PL_KIND_STEP:
      return "step";
    case PL_KIND_PROVIDER:
      return "provider";
    case PL_KIND_OPTIMIZER:
      return "optimizer";
    case PL_KIND_CACHE:
      return "cache";
    case PL_KIND_METRICS_SINK:
      return "metrics_sink";
    default:
      return "unknown";
  }
}

Component::Component(const pl_component_header& header, std::size_t host_vtable_size,
                     std::shared_ptr<PluginLibrary> library, const pl_host_api* host,
                     std::shared_ptr<const void> keep_alive)
    : kind_(header.kind),
      flags_(header.flags),
      declared_size_(header.struct_size),
      name_(header.name != nullptr ? header.name : ""),
      version_(header.version != nullptr ? header.version : ""),
      description_(header.description != nullptr ? header.description : ""),
      config_schema_(header.config_schema_json != nullptr ? header.config_schema_json : ""),
      library_(std::move(library)),
      host_(host),
      keep_alive_(std::move(keep_alive)) {
  std::size_t n = std::min<std::size_t>({header.struct_size, host_vtable_size, kMaxVTableSize});
  std::memcpy(storage_, &header, n);
}

}  // namespace pipeline
