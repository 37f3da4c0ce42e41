// Writes a file so that readers see either the old content or the new, never a torn one:
// a temporary file in the same folder, fsync, then rename over the target.
//
//   if (auto st = write_file_atomically("out/result.json", text); !st.ok()) ...
#pragma once

#include <pipeline/status.hpp>

#include <filesystem>
#include <string_view>

namespace pipeline {

// Creates missing parent folders.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace pipeline
