// The sqlite backend's own promises: persistence, bounded size, checksummed entries, and a file
// that breaks (corrupted, deleted, locked) degrading to misses with one warning, then recovering.
#include <pipeline/json.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "cache_test_support.hpp"
#include "log_capture.hpp"

namespace pipeline::testing {
namespace {

int64_t stat_of(const CacheInstance& c, const char* name) {
  auto doc = parse_json(c.stats());
  if (!doc.ok() || !doc->as_object().contains(name)) return -1;
  return doc->as_object().at(name).to_number<int64_t>();
}

// A second, raw connection to the cache file: what another process (or a disk fault) would do.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& p) { sqlite3_open(p.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  int exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteBackend : public ::testing::Test {
 protected:
  std::shared_ptr<CacheInstance> make(const std::string& extra = "") {
    std::string config = R"({"path": ")" + db_.string() +
                         R"(", "check_interval_ms": 0, "retry_interval_ms": 20,
                            "busy_timeout_ms": 20)" +
                         (extra.empty() ? "" : "," + extra) + "}";
    auto c = host_->create_cache("sqlite", config);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : nullptr;
  }

  TempDir dir_;
  std::filesystem::path db_ = dir_.path() / "cache.db";
  std::unique_ptr<PluginHost> host_ = cache_plugin_host();
};

TEST_F(SqliteBackend, EntriesSurviveANewInstance) {
  {
    auto c = make();
    ASSERT_TRUE(c->put("k", "persisted", 0).ok());
  }
  auto c = make();
  EXPECT_EQ(c->get("k").body, "persisted");
}

TEST_F(SqliteBackend, ACorruptEntryIsDroppedLoggedAndCounted) {
  LogCapture logs;
  auto c = make();
  ASSERT_TRUE(c->put("good", "fine", 0).ok());
  ASSERT_TRUE(c->put("bad", "original", 0).ok());
  {
    RawDb raw(db_);
    ASSERT_EQ(
        raw.exec("UPDATE pipeline_cache SET value = X'6576696C' WHERE key = CAST('bad' AS BLOB)"),
        SQLITE_OK);
  }
  EXPECT_EQ(c->get("bad").status, PL_NOT_FOUND);
  EXPECT_EQ(stat_of(*c, "corrupt_entries"), 1);
  EXPECT_EQ(c->get("bad").status, PL_NOT_FOUND);
  EXPECT_EQ(stat_of(*c, "corrupt_entries"), 1) << "the corrupt row must have been deleted";
  EXPECT_EQ(c->get("good").body, "fine");
  EXPECT_EQ(logs.count(spdlog::level::warn, "checksum does not match"), 1u) << logs.dump();
  // The count is kept in the file, so a later process (`pipeline cache stats`) sees it.
  auto later = make();
  EXPECT_EQ(stat_of(*later, "corrupt_entries_dropped"), 1);
}

TEST_F(SqliteBackend, StaysWithinItsByteBudget) {
  auto c = make(R"("max_bytes": 50000)");
  const std::string value(1000, 'v');
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(c->put("k" + std::to_string(i), value, 0).ok());
  EXPECT_LE(stat_of(*c, "bytes"), 50000);
  EXPECT_GT(stat_of(*c, "evictions"), 0);
  EXPECT_EQ(c->get("k199").status, PL_OK);
  EXPECT_EQ(c->get("k0").status, PL_NOT_FOUND);
}

TEST_F(SqliteBackend, ACorruptedFileDegradesToMissesWithOneWarningThenRecovers) {
  LogCapture logs;
  auto c = make();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c->put("k" + std::to_string(i), "v", 0).ok());
  {
    std::ofstream f(db_, std::ios::binary | std::ios::trunc);
    f << std::string(8192, '\x5a');
  }
  for (int i = 0; i < 20; ++i) {
    CallResult r = c->get("k" + std::to_string(i));
    EXPECT_TRUE(r.status == PL_NOT_FOUND || r.status == PL_UNAVAILABLE) << r.status << r.error;
  }
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
  // The broken file was set aside and a fresh one is in use.
  EXPECT_TRUE(eventually([&] { return c->put("after", "works", 0).ok(); }));
  EXPECT_EQ(c->get("after").body, "works");
  EXPECT_TRUE(std::filesystem::exists(db_.string() + ".corrupt"));
  EXPECT_TRUE(c->health().ok());
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
  EXPECT_GE(stat_of(*c, "recoveries"), 1);
}

TEST_F(SqliteBackend, ADeletedFileDegradesToMissesWithOneWarningThenRecovers) {
  LogCapture logs;
  auto c = make();
  ASSERT_TRUE(c->put("k", "v", 0).ok());
  std::filesystem::remove(db_);
  std::filesystem::remove(db_.string() + "-wal");
  std::filesystem::remove(db_.string() + "-shm");
  for (int i = 0; i < 5; ++i) {
    CallResult r = c->get("k");
    EXPECT_TRUE(r.status == PL_NOT_FOUND || r.status == PL_UNAVAILABLE) << r.status << r.error;
  }
  EXPECT_TRUE(eventually([&] { return c->put("k2", "v2", 0).ok(); }));
  EXPECT_EQ(c->get("k2").body, "v2");
  EXPECT_TRUE(std::filesystem::exists(db_)) << "the file is recreated";
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
}

TEST_F(SqliteBackend, ALockedFileFailsFastWithOneWarningAndRecoversWhenReleased) {
  LogCapture logs;
  auto c = make();
  ASSERT_TRUE(c->put("k", "v", 0).ok());
  RawDb other(db_);
  ASSERT_EQ(other.exec("BEGIN EXCLUSIVE"), SQLITE_OK);
  for (int i = 0; i < 5; ++i) {
    Status st = c->put("locked" + std::to_string(i), "v", 0);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.to_string();
  }
  EXPECT_FALSE(c->health().ok());
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
  ASSERT_EQ(other.exec("COMMIT"), SQLITE_OK);
  EXPECT_TRUE(eventually([&] { return c->put("after", "v", 0).ok(); }));
  EXPECT_EQ(c->get("after").body, "v");
  EXPECT_EQ(c->get("k").body, "v") << "a lock is not corruption: entries are kept";
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
}

TEST_F(SqliteBackend, AnUnusablePathStartsDegradedInsteadOfFailingCreation) {
  LogCapture logs;
  auto c = host_->create_cache("sqlite",
                               R"({"path": "/dev/null/deeper/cache.db", "retry_interval_ms": 10})");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ((*c)->get("k").status, PL_UNAVAILABLE);
  EXPECT_FALSE((*c)->health().ok());
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
}

TEST_F(SqliteBackend, RequiresAPath) {
  EXPECT_FALSE(host_->create_cache("sqlite", "{}").ok());
}

}  // namespace
}  // namespace pipeline::testing
