// Writes a file so that readers see either the old content or the new, never a torn one:
// a temporary file in the same folder, fsync, then rename over the target.
//
//   if (auto st = write_file_atomically("out/result.json", text); !st.ok()) ...
#pragma once

#include <pipeline/status.hpp>

#include <filesystem>
#include <string_view>

namespace pipeline {

// Creates missing parent folders. The temporary file is "<path>.tmp.<pid>.<random>".
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Removes the "<name>.tmp.<pid>.<n>" files under `dir` (recursively, at most `max_entries` looked
// at) left by a process that no longer exists, i.e. one killed while writing. Files of a live
// process (another run writing now) are kept. Returns how many were removed.
std::size_t remove_stale_temp_files(const std::filesystem::path& dir,
                                    std::size_t max_entries = 100000);

}  // namespace pipeline
