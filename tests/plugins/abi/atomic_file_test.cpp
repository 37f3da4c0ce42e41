// pipeline/sdk/atomic_file.hpp, the one atomic write the host and the plugins share.
#include <pipeline/sdk/atomic_file.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("pipeline-atomic-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AtomicWriteFile, CreatesFoldersReplacesContentAndLeavesNoTemporaryFile) {
  fs::path dir = fresh_dir("replace");
  fs::path target = dir / "a" / "b" / "out.txt";
  ASSERT_TRUE(pipeline::atomic_write_file(target, "first"));
  ASSERT_TRUE(pipeline::atomic_write_file(target, "second, longer"));
  EXPECT_EQ(slurp(target), "second, longer");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(target.parent_path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
  fs::remove_all(dir);
}

TEST(AtomicWriteFile, AFolderThatCannotBeMadeIsAnErrorNamingIt) {
  fs::path dir = fresh_dir("blocked");
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  auto w = pipeline::atomic_write_file(dir / "file" / "inside.txt", "y");
  EXPECT_FALSE(w);
  EXPECT_EQ(w.error, pipeline::FileWrite::Error::kFolder);
  EXPECT_THAT(w.message, ::testing::HasSubstr("cannot create folder"));
  EXPECT_EQ(slurp(dir / "file"), "x");
  fs::remove_all(dir);
}

}  // namespace
