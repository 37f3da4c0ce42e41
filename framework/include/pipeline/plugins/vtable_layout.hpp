// What the host knows about each kind's vtable: its size in this ABI minor and the functions a
// plugin must provide. Shared by the loader and `pipeline plugins --check`, so both judge a
// plugin by the same rules.
//
//   if (vtable_size(h.kind) == 0) ...;                 // unknown kind
//   std::string fn = missing_required_function(h);     // "" when complete
#pragma once

#include <pipeline/plugin.h>

#include <cstddef>
#include <string>

namespace pipeline {

// sizeof the kind's vtable as this host compiled it; 0 for an unknown kind.
std::size_t vtable_size(uint32_t kind);
// The first required function the plugin's vtable lacks (outside its declared struct_size, or
// NULL): "create", "complete", ...; "kind" for an unknown kind; "" when nothing is missing.
std::string missing_required_function(const pl_component_header& header);

}  // namespace pipeline
