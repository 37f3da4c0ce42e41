// docs/plugin-guide.md shows shipped example files verbatim: every code block preceded by an
// `<!-- file: PATH -->` line must equal that file, so the guide cannot drift from code the suite
// builds and runs (tests/sdk/examples_out_of_tree.sh).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ShownFile {
  std::string path;
  std::string block;
  int line = 0;
};

std::vector<ShownFile> shown_files(const std::string& guide) {
  std::vector<ShownFile> out;
  std::istringstream in(guide);
  std::string line;
  int n = 0;
  const std::string marker = "<!-- file: ";
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind(marker, 0) != 0) continue;
    ShownFile f;
    f.path = line.substr(marker.size(), line.find(" -->") - marker.size());
    f.line = n;
    std::getline(in, line);  // the opening fence
    ++n;
    while (std::getline(in, line) && line.rfind("```", 0) != 0) {
      ++n;
      f.block += line + "\n";
    }
    ++n;
    out.push_back(f);
  }
  return out;
}

TEST(PluginGuide, EveryShownFileEqualsTheShippedExample) {
  const fs::path src = PIPELINE_SOURCE_DIR;
  auto files = shown_files(slurp(src / "docs" / "plugin-guide.md"));
  ASSERT_GE(files.size(), 4u) << "the guide shows fewer example files than expected";
  for (const auto& f : files) {
    ASSERT_TRUE(fs::exists(src / f.path)) << "plugin-guide.md:" << f.line << ": " << f.path;
    EXPECT_EQ(f.block, slurp(src / f.path))
        << "plugin-guide.md:" << f.line << " shows " << f.path << " differently from the file";
  }
}

}  // namespace
