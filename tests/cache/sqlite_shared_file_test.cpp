// Several real processes sharing one SQLite cache file lose nothing, and a corrupt file is set
// aside by whichever run finds it, without replacing an earlier quarantined file.
#include <pipeline/json.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "cache_test_support.hpp"
#include "process.hpp"

namespace pipeline::testing {
namespace {

// What a later reader finds in the file: every key's value, and PRAGMA integrity_check.
class Inspect {
 public:
  explicit Inspect(const std::filesystem::path& p) {
    sqlite3_open_v2(p.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  }
  ~Inspect() { sqlite3_close(db_); }
  Inspect(const Inspect&) = delete;
  Inspect& operator=(const Inspect&) = delete;

  std::string integrity() {
    std::string result;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &s, nullptr);
    while (s != nullptr && sqlite3_step(s) == SQLITE_ROW) {
      result += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return result;
  }
  std::string value(const std::string& key) {
    std::string result = "<missing>";
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "SELECT value FROM pipeline_cache WHERE key = ?1", -1, &s, nullptr);
    sqlite3_bind_blob(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) {
      result.assign(static_cast<const char*>(sqlite3_column_blob(s, 0)),
                    sqlite3_column_bytes(s, 0));
    }
    sqlite3_finalize(s);
    return result;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string read_all(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

TEST(SqliteSharedFile, OneLongAndThreeShortProcessesLoseNoEntry) {
  TempDir dir;
  const std::string db = (dir.path() / "shared.db").string();
  struct Writer {
    std::string prefix;
    int count;
    int delay_ms;
    int start_after_ms;
  };
  // The long run spans the short ones: each short run opens, writes and closes the file (its last
  // connection closing) while the long one is in the middle of writing.
  const std::vector<Writer> writers = {
      {"long-", 100, 25, 0}, {"a-", 20, 0, 300}, {"b-", 20, 0, 900}, {"c-", 20, 0, 1500}};
  std::vector<ProcessResult> results(writers.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < writers.size(); ++i) {
    threads.emplace_back([&, i] {
      const Writer& w = writers[i];
      std::this_thread::sleep_for(std::chrono::milliseconds(w.start_after_ms));
      results[i] = run_process(
          {SQLITE_CACHE_WRITER, db, w.prefix, std::to_string(w.count), std::to_string(w.delay_ms)});
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < writers.size(); ++i) {
    EXPECT_EQ(results[i].exit_code, 0) << writers[i].prefix << ": " << results[i].err;
  }
  Inspect file(db);
  EXPECT_EQ(file.integrity(), "ok");
  int missing = 0;
  for (const Writer& w : writers) {
    for (int i = 0; i < w.count; ++i) {
      const std::string key = w.prefix + std::to_string(i);
      if (file.value(key) != "value of " + key) ++missing;
    }
  }
  EXPECT_EQ(missing, 0) << "of 160 entries written by four processes";
}

TEST(SqliteSharedFile, ACorruptFileIsSetAsideByAShortRunWithoutReplacingAnEarlierOne) {
  TempDir dir;
  const auto db = dir.path() / "c.db";
  auto host = cache_plugin_host();
  const std::string config = R"({"path": ")" + db.string() + R"("})";
  for (const char* garbage : {"first garbage", "second garbage", "third garbage"}) {
    // The file overwritten while no process had it open (its WAL gone with it).
    std::filesystem::remove(db.string() + "-wal");
    std::filesystem::remove(db.string() + "-shm");
    std::ofstream(db, std::ios::binary | std::ios::trunc) << std::string(4096, '#') << garbage;
    // A run that makes no cache call at all: creating the level is enough.
    auto c = host->create_cache("sqlite", config);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_TRUE((*c)->health().ok()) << (*c)->health().to_string();
  }
  const std::string prefix(4096, '#');
  // Compared as booleans: a failure must not print 4 KiB of file content.
  EXPECT_TRUE(read_all(db.string() + ".corrupt") == prefix + "first garbage");
  EXPECT_TRUE(read_all(db.string() + ".corrupt.1") == prefix + "second garbage");
  EXPECT_TRUE(read_all(db.string() + ".corrupt.2") == prefix + "third garbage");
  Inspect fresh(db);
  EXPECT_EQ(fresh.integrity(), "ok");
}

}  // namespace
}  // namespace pipeline::testing
