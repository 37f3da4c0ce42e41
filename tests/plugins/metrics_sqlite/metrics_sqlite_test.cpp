// The sqlite metrics sink's own promises: what is recorded comes back through the query side in
// the record's shape, filtered and ordered as the router asks; inserts are batched until flush;
// retention by age and by count; the lookup index exists and is used; WAL; a file that is not a
// history is a clear error; bad config and bad records are refused with the member named.
#include <pipeline/json.hpp>
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/monitor/sink_history.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <thread>

#include "monitor_test_support.hpp"

namespace pipeline::testing {
namespace {

// A second, raw connection to the file: what another process would see.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& p) { sqlite3_open(p.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  std::string scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return std::string("error: ") + sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  // Every row's text of the first column (EXPLAIN QUERY PLAN details, index names).
  std::string all(const std::string& sql, int column = 0) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return std::string("error: ") + sqlite3_errmsg(db_);
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      if (const unsigned char* t = sqlite3_column_text(s, column))
        out += std::string(reinterpret_cast<const char*>(t)) + "\n";
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class MetricsSqlite : public ::testing::Test {
 protected:
  Result<std::shared_ptr<MetricsSinkInstance>> create(const std::string& extra = "") {
    return host_->create_metrics_sink("sqlite", R"({"path": ")" + db_.string() + "\"" +
                                                    (extra.empty() ? "" : ", " + extra) + "}");
  }
  std::shared_ptr<MetricsSinkInstance> make(const std::string& extra = "") {
    auto s = create(extra);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return s.ok() ? *s : nullptr;
  }
  static void put(const MetricsSinkInstance& sink, const StepRecord& r) {
    Status st = sink.record(json::serialize(r.to_json()));
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  static std::vector<StepRecord> rows(const MetricsSinkInstance& sink, const std::string& q) {
    CallResult r = sink.query(q);
    EXPECT_TRUE(r.ok()) << r.error;
    std::vector<StepRecord> out;
    auto doc = parse_json(r.body);
    EXPECT_TRUE(doc.ok() && doc->is_array()) << r.body;
    if (!doc.ok() || !doc->is_array()) return out;
    for (const auto& v : doc->get_array()) {
      auto rec = StepRecord::from_json(v);
      EXPECT_TRUE(rec.ok()) << rec.status().to_string();
      if (rec.ok()) out.push_back(*rec);
    }
    return out;
  }

  TempDir dir_;
  std::filesystem::path db_ = dir_.path() / "history.sqlite";
  std::unique_ptr<PluginHost> host_ = sink_plugin_host();
};

TEST_F(MetricsSqlite, HasAQuerySide) {
  EXPECT_TRUE(make()->has_query());
}

TEST_F(MetricsSqlite, ARecordComesBackInTheRecordsShape) {
  auto sink = make();
  StepRecord r = record_of("triage", "classify", "dspy_optimized", now_unix_ms(), 0.875);
  r.fallback_hops = 1;
  r.cache_hit = true;
  r.program_id = "opt:v1:abc";
  r.source = "shadow";
  put(*sink, r);
  StepRecord failed = record_of("triage", "classify", "traditional", r.unix_ms + 1);
  failed.success = false;
  failed.error_class = "rate_limited";
  put(*sink, failed);
  ASSERT_TRUE(sink->flush().ok());
  auto got = rows(*sink, R"({"workflow": "triage"})");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(json::serialize(got[0].to_json()), json::serialize(r.to_json()));
  EXPECT_EQ(json::serialize(got[1].to_json()), json::serialize(failed.to_json()));
}

TEST_F(MetricsSqlite, RecordsOutliveTheInstance) {
  {
    auto sink = make();
    put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
    // No flush: destroying the instance commits what is pending.
  }
  EXPECT_EQ(rows(*make(), R"({"workflow": "wf"})").size(), 1u);
}

TEST_F(MetricsSqlite, QueriesFilterByEveryMemberTheRouterUses) {
  auto sink = make();
  const std::int64_t t = now_unix_ms() - 10000;
  put(*sink, record_of("wf", "a", "traditional", t + 1));
  put(*sink, record_of("wf", "a", "dspy_optimized", t + 2));
  put(*sink, record_of("wf", "b", "traditional", t + 3));
  put(*sink, record_of("other", "a", "traditional", t + 4));
  StepRecord sig = record_of("wf", "a", "traditional", t + 5);
  sig.signature_hash = "sig-b";
  sig.mode = "traditional";
  put(*sink, sig);
  ASSERT_TRUE(sink->flush().ok());

  EXPECT_EQ(rows(*sink, R"({"workflow": "wf"})").size(), 4u);
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf", "step": "a"})").size(), 3u);
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf", "step": "a", "variant": "dspy_optimized"})").size(),
            1u);
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf", "step": "a", "signature_hash": "sig-b"})").size(),
            1u);
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf", "mode": "traditional"})").size(), 1u);
  auto since = rows(*sink, R"({"workflow": "wf", "since_unix_ms": )" + std::to_string(t + 2) + "}");
  ASSERT_EQ(since.size(), 3u);
  EXPECT_EQ(since[0].unix_ms, t + 2);
  EXPECT_EQ(rows(*sink, "{}").size(), 5u) << "no filter: everything";
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf", "future_member": 1})").size(), 4u)
      << "members a newer host sends are ignored";
}

TEST_F(MetricsSqlite, ALimitReturnsTheNewestOldestFirst) {
  auto sink = make();
  const std::int64_t t = now_unix_ms() - 10000;
  for (int i = 0; i < 10; ++i) put(*sink, record_of("wf", "s", "traditional", t + i));
  auto got = rows(*sink, R"({"workflow": "wf", "limit": 3})");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].unix_ms, t + 7);
  EXPECT_EQ(got[1].unix_ms, t + 8);
  EXPECT_EQ(got[2].unix_ms, t + 9);
}

TEST_F(MetricsSqlite, InsertsWaitForFlushOrAFullBatchBeforeOthersSeeThem) {
  auto sink = make(R"("batch_size": 5)");
  for (int i = 0; i < 3; ++i) put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  RawDb raw(db_);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM step_records"), "0") << "still in the transaction";
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf"})").size(), 3u) << "the sink reads its own writes";
  ASSERT_TRUE(sink->flush().ok());
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM step_records"), "3");
  for (int i = 0; i < 5; ++i) put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM step_records"), "8") << "a full batch commits";
}

TEST_F(MetricsSqlite, OldRecordsGoWhenTheFileIsOpened) {
  const std::int64_t day = 86400000;
  {
    auto sink = make(R"("retention_days": 0)");
    put(*sink, record_of("wf", "s", "traditional", now_unix_ms() - 40 * day));
    put(*sink, record_of("wf", "s", "traditional", now_unix_ms() - 10 * day));
    put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  }
  EXPECT_EQ(rows(*make(R"("retention_days": 0)"), R"({"workflow": "wf"})").size(), 3u)
      << "retention_days 0 keeps everything";
  EXPECT_EQ(rows(*make(R"("retention_days": 30)"), R"({"workflow": "wf"})").size(), 2u);
  EXPECT_EQ(rows(*make(R"("retention_days": 5)"), R"({"workflow": "wf"})").size(), 1u);
}

TEST_F(MetricsSqlite, MaxRecordsKeepsTheNewestEveryFewInserts) {
  auto sink = make(R"("max_records": 3, "retention_every": 2, "batch_size": 1)");
  const std::int64_t t = now_unix_ms();
  for (int i = 0; i < 6; ++i) put(*sink, record_of("wf", "s", "traditional", t + i));
  auto got = rows(*sink, R"({"workflow": "wf"})");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].unix_ms, t + 3);
  EXPECT_EQ(got[2].unix_ms, t + 5);
}

TEST_F(MetricsSqlite, TheLookupIndexExistsAndServesTheRoutersQuery) {
  make();
  RawDb raw(db_);
  EXPECT_EQ(raw.scalar("SELECT group_concat(name) FROM pragma_index_info('step_records_lookup')"),
            "workflow,step,variant,unix_ms");
  std::string plan = raw.all(
      "EXPLAIN QUERY PLAN SELECT * FROM step_records WHERE workflow = 'wf' AND step = 's' AND "
      "variant = 'traditional' AND unix_ms >= 0",
      3);
  EXPECT_NE(plan.find("step_records_lookup"), std::string::npos) << plan;
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
  // One column per record member.
  std::string columns = raw.all("SELECT name FROM pragma_table_info('step_records')");
  for (const auto& kv : record_of("wf", "s", "traditional", 1, 0.5).to_json())
    EXPECT_NE(columns.find(std::string(kv.key()) + "\n"), std::string::npos) << kv.key();
}

TEST_F(MetricsSqlite, AVersionOneHistoryIsUpgradedKeepingItsRecords) {
  {
    // The table as schema version 1 made it: no host_overhead_ms column.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    const char* v1 =
        "CREATE TABLE step_records (id INTEGER PRIMARY KEY, workflow TEXT NOT NULL DEFAULT '',"
        " step TEXT NOT NULL DEFAULT '', variant TEXT NOT NULL DEFAULT '',"
        " latency_ms REAL NOT NULL DEFAULT 0, unix_ms INTEGER NOT NULL DEFAULT 0);"
        "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    // Recent enough that retention keeps it.
    const std::string row =
        "INSERT INTO step_records(workflow, step, variant, latency_ms, unix_ms)"
        " VALUES('wf', 's', 'traditional', 7.5, " +
        std::to_string(now_unix_ms() - 1000) + ")";
    ASSERT_EQ(sqlite3_exec(db, row.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto sink = make();
  ASSERT_NE(sink, nullptr);
  StepRecord fresh = record_of("wf", "s", "traditional", now_unix_ms(), 0.5);
  fresh.host_overhead_ms = 0.125;
  put(*sink, fresh);
  ASSERT_TRUE(sink->flush().ok());
  auto got = rows(*sink, R"({"workflow": "wf"})");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].latency_ms, 7.5) << "the old record survives the upgrade";
  EXPECT_EQ(got[0].host_overhead_ms, 0) << "and reads the new member's default";
  EXPECT_EQ(got[1].host_overhead_ms, 0.125);
  EXPECT_EQ(RawDb(db_).scalar("PRAGMA user_version"), "2");
}

TEST_F(MetricsSqlite, AFileThatIsNotAHistoryIsAClearError) {
  std::ofstream(db_) << "this is not an SQLite database, it is a text file that is long enough";
  auto s = create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find(db_.string()), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("not a readable SQLite history"), std::string::npos)
      << s.status().message();
}

TEST_F(MetricsSqlite, BadConfigIsRefusedNamingTheKey) {
  auto unknown = create(R"("retention": 3)");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown config key 'retention'"), std::string::npos)
      << unknown.status().message();
  auto negative = create(R"("max_records": -1)");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("'max_records' must be >= 0"), std::string::npos)
      << negative.status().message();
  auto no_path = host_->create_metrics_sink("sqlite", "{}");
  ASSERT_FALSE(no_path.ok());
  EXPECT_NE(no_path.status().message().find("'path'"), std::string::npos);
}

TEST_F(MetricsSqlite, ABadRecordIsRefusedNamingTheMember) {
  auto sink = make();
  Status st = sink->record(R"({"workflow": "wf", "step": "s", "latency_ms": "slow"})");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'latency_ms' must be a number"), std::string::npos) << st.message();
  Status anonymous = sink->record(R"({"step": "s"})");
  EXPECT_NE(anonymous.message().find("'workflow' and 'step'"), std::string::npos);
  EXPECT_TRUE(rows(*sink, "{}").empty());
}

TEST_F(MetricsSqlite, ConcurrentRecordersThroughTheMonitorLoseNothing) {
  auto sink = make();
  PerformanceMonitor monitor({{"history", sink}}, {.queue_size = 10000});
  std::vector<std::thread> threads;
  const std::int64_t t = now_unix_ms();
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 250; ++i)
        monitor.record(record_of("wf", "s" + std::to_string(k), "traditional", t + i));
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(30)));
  EXPECT_EQ(monitor.stats().sink_errors(), 0u);
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf"})").size(), 1000u);
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf", "step": "s2"})").size(), 250u);
}

TEST_F(MetricsSqlite, TwoInstancesOnOneFileShareTheHistory) {
  auto first = make();
  auto second = make();
  put(*first, record_of("wf", "s", "traditional", now_unix_ms()));
  ASSERT_TRUE(first->flush().ok());
  put(*second, record_of("wf", "s", "dspy_optimized", now_unix_ms()));
  ASSERT_TRUE(second->flush().ok());
  EXPECT_EQ(rows(*first, R"({"workflow": "wf"})").size(), 2u);
}

}  // namespace
}  // namespace pipeline::testing
