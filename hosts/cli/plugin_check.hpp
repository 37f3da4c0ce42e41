// `pipeline plugins --check FILE`: loads one library without a workflow and reports what a
// deployment would meet — its ABI, its components with their config schemas, whether each can be
// created with a sample config — so an author can test a plugin before shipping it.
#pragma once

#include <filesystem>
#include <iosfwd>

namespace pipeline::cli {

// Returns the exit code: 0 clean, 1 problems found, 2 not a loadable plugin.
int check_plugin(const std::filesystem::path& file, bool json, std::ostream& out);

}  // namespace pipeline::cli
