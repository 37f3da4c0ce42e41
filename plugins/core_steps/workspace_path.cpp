#include "workspace_path.hpp"

#include <pipeline/plugin.hpp>

namespace core_steps {

namespace fs = std::filesystem;
using pipeline::sdk::Error;

fs::path confined_path(const fs::path& root, const std::string& path) {
  auto refuse = [&](const std::string& why) {
    return Error(PL_PERMISSION_DENIED, "file_ops: path '" + path + "' refused: " + why +
                                           " (paths stay inside the workspace " + root.string() +
                                           ")");
  };
  if (path.empty()) throw refuse("empty path");
  fs::path p(path);
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) throw refuse("absolute path");
  fs::path out = root;
  for (const auto& part : p.lexically_normal()) {
    if (part == "..") throw refuse("'..' leaves the workspace");
    if (part == "." || part.empty()) continue;
    out /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(out, ec)))
      throw refuse("'" + out.string() + "' is a symlink");
  }
  return out;
}

}  // namespace core_steps
