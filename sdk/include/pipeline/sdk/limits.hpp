// The limits that keep hostile input from exhausting the host, in one place, shared by the host
// and the in-tree plugins (docs/config.md, "Limits"). Header-only; no dependencies.
//
//   if (depth > pipeline::limits::kMaxNestingDepth) return error("nested too deeply");
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipeline::limits {

// Nesting of YAML/JSON data in a workflow, of steps inside loops and inline pipelines, and of
// nested pipeline files. Enforced at validation; far below what the stack survives (about 1,200
// nested pipelines on an 8 MiB stack).
inline constexpr int kMaxNestingDepth = 64;

// Depth of a JSON document crossing the plugin ABI: data nested kMaxNestingDepth deep inside the
// envelopes a nested run adds (step input, loop iterations, results: about three levels per
// loop) must still parse.
inline constexpr int kMaxJsonDepth = 8 * kMaxNestingDepth;

// Nodes that YAML aliases may add to a document when expanded ("billion laughs").
inline constexpr std::size_t kMaxAliasNodes = 100000;

// Expressions ({{ ... }}, conditions): length in bytes and depth of the syntax tree.
inline constexpr std::size_t kMaxExpressionBytes = 65536;
inline constexpr int kMaxExpressionDepth = 256;

// Files read as input (workflows, pipeline_file, prompt file parts, data files) unless
// PIPELINE_MAX_FILE_BYTES says otherwise.
inline constexpr std::uint64_t kDefaultMaxFileBytes = 64ull * 1024 * 1024;

}  // namespace pipeline::limits
