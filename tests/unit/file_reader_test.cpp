// Reading input files (pipeline/sdk/file_reader.hpp): regular files only, a size cap, and a FIFO
// never blocks. Blocking cases run under a timeout so a regression fails instead of hanging.
#include <pipeline/sdk/file_reader.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("file-reader-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Runs the read on another thread; a read that blocks fails the test after 30 s.
  static FileContent read_with_timeout(const fs::path& p, std::uint64_t cap = 1 << 20) {
    auto f = std::async(std::launch::async, [p, cap] { return read_input_file(p, cap); });
    if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << "read of " << p << " blocked";
      std::quick_exit(1);  // the blocked thread cannot be joined
    }
    return f.get();
  }
  fs::path dir_;
};

TEST_F(FileReaderTest, ReadsARegularFile) {
  std::ofstream(dir_ / "a.txt") << "hello";
  auto f = read_with_timeout(dir_ / "a.txt");
  ASSERT_TRUE(f) << f.message;
  EXPECT_EQ(f.data, "hello");
}

TEST_F(FileReaderTest, AFifoIsRefusedWithoutBlocking) {
  fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = read_with_timeout(fifo);
  EXPECT_EQ(f.error, FileContent::Error::kNotRegular);
  EXPECT_THAT(f.message, HasSubstr("not a regular file (a FIFO)"));
}

TEST_F(FileReaderTest, DevicesAndDirectoriesAreRefused) {
  EXPECT_THAT(read_with_timeout("/dev/zero").message, HasSubstr("a character device"));
  EXPECT_THAT(read_with_timeout("/dev/urandom").message, HasSubstr("a character device"));
  EXPECT_THAT(read_with_timeout(dir_).message, HasSubstr("a directory"));
}

TEST_F(FileReaderTest, AFileOverTheCapIsRefusedWithBothSizes) {
  std::ofstream(dir_ / "big") << std::string(2000, 'x');
  auto f = read_with_timeout(dir_ / "big", 1000);
  EXPECT_EQ(f.error, FileContent::Error::kTooLarge);
  EXPECT_THAT(f.message, HasSubstr("file is 2000 bytes, more than the limit of 1000"));
}

TEST_F(FileReaderTest, TheCapComesFromTheEnvironment) {
  ::setenv("PIPELINE_MAX_FILE_BYTES", "1234", 1);
  EXPECT_EQ(max_input_file_bytes(), 1234u);
  ::setenv("PIPELINE_MAX_FILE_BYTES", "nonsense", 1);
  EXPECT_EQ(max_input_file_bytes(), limits::kDefaultMaxFileBytes);
  ::unsetenv("PIPELINE_MAX_FILE_BYTES");
}

TEST_F(FileReaderTest, MissingFileAndCancellation) {
  EXPECT_EQ(read_with_timeout(dir_ / "absent").error, FileContent::Error::kNotFound);
  std::ofstream(dir_ / "a.txt") << "x";
  auto f = read_input_file(dir_ / "a.txt", 100, [] { return true; });
  EXPECT_EQ(f.error, FileContent::Error::kCancelled);
}

}  // namespace
}  // namespace pipeline
