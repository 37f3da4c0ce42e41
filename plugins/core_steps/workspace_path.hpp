// Confines file_ops paths to the workspace: relative paths only, no "..", no symlinks anywhere
// below the workspace root (a symlink could point outside it).
#pragma once

#include <filesystem>
#include <string>

namespace core_steps {

// Throws pipeline::sdk::Error(PL_PERMISSION_DENIED) for a path that would leave `root`.
std::filesystem::path confined_path(const std::filesystem::path& root, const std::string& path);

}  // namespace core_steps
