#include <pipeline/plugins/vtable_layout.hpp>

#include <cstring>
#include <utility>
#include <vector>

namespace pipeline {

namespace {

// A required function pointer must lie inside the plugin's declared struct and be set.
bool has_fn(const pl_component_header& h, std::size_t offset) {
  if (h.struct_size < offset + sizeof(void*)) return false;
  void* p = nullptr;
  std::memcpy(&p, reinterpret_cast<const unsigned char*>(&h) + offset, sizeof(void*));
  return p != nullptr;
}

}  // namespace

std::size_t vtable_size(uint32_t kind) {
  switch (kind) {
    case PL_KIND_STEP:
      return sizeof(pl_step_vtable);
    case PL_KIND_PROVIDER:
      return sizeof(pl_provider_vtable);
    case PL_KIND_OPTIMIZER:
      return sizeof(pl_optimizer_vtable);
    case PL_KIND_CACHE:
      return sizeof(pl_cache_vtable);
    case PL_KIND_METRICS_SINK:
      return sizeof(pl_metrics_sink_vtable);
    default:
      return 0;
  }
}

std::string missing_required_function(const pl_component_header& h) {
  std::vector<std::pair<const char*, std::size_t>> req;
  switch (h.kind) {
    case PL_KIND_STEP:
      req = {{"execute", offsetof(pl_step_vtable, execute)}};
      break;
    case PL_KIND_PROVIDER:
      req = {{"complete", offsetof(pl_provider_vtable, complete)}};
      break;
    case PL_KIND_OPTIMIZER:
      req = {{"optimize", offsetof(pl_optimizer_vtable, optimize)}};
      break;
    case PL_KIND_CACHE:
      req = {{"get", offsetof(pl_cache_vtable, get)},
             {"put", offsetof(pl_cache_vtable, put)},
             {"erase", offsetof(pl_cache_vtable, erase)},
             {"erase_prefix", offsetof(pl_cache_vtable, erase_prefix)}};
      break;
    case PL_KIND_METRICS_SINK:
      req = {{"record", offsetof(pl_metrics_sink_vtable, record)}};
      break;
    default:
      return "kind";
  }
  req.push_back({"create", offsetof(pl_component_header, create)});
  req.push_back({"destroy", offsetof(pl_component_header, destroy)});
  for (auto& [name, off] : req) {
    if (!has_fn(h, off)) return name;
  }
  return {};
}

}  // namespace pipeline
