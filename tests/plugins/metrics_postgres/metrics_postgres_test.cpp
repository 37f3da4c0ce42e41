// The postgres metrics sink's promises, against a real PostgreSQL server: the schema it creates
// (version table, one column per record member, the router's index), migrates (v1 -> current)
// and refuses (newer); records come back through the query side in the record's shape, filtered
// and ordered as the router asks; batches wait for flush or a full batch; a server that dies and
// comes back gets the buffered records, a full buffer drops the oldest and says how many; the
// password comes from the environment and never shows in a message; several hosts creating the
// schema at once all succeed.
#include <pipeline/json.hpp>
#include <pipeline/monitor/performance_monitor.hpp>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <thread>

#include "monitor_test_support.hpp"
#include "postgres_server.hpp"

namespace pipeline::testing {
namespace {

// A second, raw connection: what another host or a DBA would see.
class RawPg {
 public:
  explicit RawPg(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {}
  ~RawPg() { PQfinish(conn_); }
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;
  // The first column of every row, one per line ("error: ..." when the statement fails).
  std::string all(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    std::string out;
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
      out = std::string("error: ") + PQresultErrorMessage(r);
    } else {
      for (int i = 0; i < PQntuples(r); ++i) out += std::string(PQgetvalue(r, i, 0)) + "\n";
    }
    PQclear(r);
    return out;
  }
  // The first row's first column.
  std::string scalar(const std::string& sql) {
    std::string s = all(sql);
    if (s.rfind("error: ", 0) == 0) return s;
    return s.substr(0, s.find('\n'));
  }

 private:
  PGconn* conn_;
};

// Sets an environment variable for one test (the plugin reads it in this process).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::unique_ptr<PluginHost> postgres_plugin_host() {
  auto host = std::make_unique<PluginHost>();
  Status st = host->load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) /
                              "libpipeline_metrics_postgres.so");
  EXPECT_TRUE(st.ok()) << st.to_string();
  return host;
}

class MetricsPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << PostgresServer::kSkipMessage;
    ASSERT_TRUE(pg_.start()) << pg_.error();
  }

  // Fast retries: the tests restart the server and want the sink back within moments.
  std::string config(const std::string& extra = "") const {
    const bool own_retry = extra.find("retry_") != std::string::npos;
    return R"({"dsn": ")" + pg_.dsn() + "\"" +
           (own_retry ? "" : R"(, "retry_initial_ms": 20, "retry_max_ms": 100)") +
           (extra.empty() ? "" : ", " + extra) + "}";
  }
  Result<std::shared_ptr<MetricsSinkInstance>> create(const std::string& extra = "") {
    return host_->create_metrics_sink("postgres", config(extra));
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
  std::string count() {
    RawPg raw(pg_.dsn());
    return raw.scalar("SELECT count(*) FROM step_records");
  }

  PostgresServer pg_;
  std::unique_ptr<PluginHost> host_ = postgres_plugin_host();
};

TEST_F(MetricsPostgres, HasAQuerySide) {
  EXPECT_TRUE(make()->has_query());
}

TEST_F(MetricsPostgres, CreatesTheVersionedSchemaWithAColumnPerMemberAndTheLookupIndex) {
  make();
  RawPg raw(pg_.dsn());
  EXPECT_EQ(raw.scalar("SELECT version FROM pipeline_schema"), "2");
  const std::string columns = raw.all(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'step_records'");
  StepRecord r = record_of("wf", "s", "traditional", 1, 0.5);
  for (const auto& kv : r.to_json())
    EXPECT_NE(columns.find(std::string(kv.key()) + "\n"), std::string::npos) << kv.key();
  EXPECT_NE(columns.find("host_overhead_ms\n"), std::string::npos);
  EXPECT_NE(raw.scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'step_records_lookup'")
                .find("(workflow, step, variant, unix_ms)"),
            std::string::npos);
  EXPECT_NE(raw.scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'step_records_time'")
                .find("(unix_ms)"),
            std::string::npos);
  // The router's lookup uses the index (sequential scans off: the table is tiny).
  const std::string plan = raw.all(
      "SET enable_seqscan = off; EXPLAIN SELECT * FROM step_records WHERE workflow = 'wf' AND "
      "step = 's' AND variant = 'traditional' AND unix_ms >= 0");
  EXPECT_NE(plan.find("step_records_lookup"), std::string::npos) << plan;
}

TEST_F(MetricsPostgres, AVersion1DatabaseIsMigratedAndKeepsItsRecords) {
  {
    RawPg raw(pg_.dsn());
    // Version 1 as it shipped: no host_overhead_ms.
    ASSERT_EQ(raw.all("CREATE TABLE pipeline_schema (version integer NOT NULL);"
                      "INSERT INTO pipeline_schema VALUES (1);"
                      "CREATE TABLE step_records (id bigserial PRIMARY KEY,"
                      " workflow text NOT NULL DEFAULT '', step text NOT NULL DEFAULT '',"
                      " run_id text NOT NULL DEFAULT '', episode text NOT NULL DEFAULT '',"
                      " mode text NOT NULL DEFAULT '', variant text NOT NULL DEFAULT '',"
                      " signature_hash text NOT NULL DEFAULT '', provider text NOT NULL DEFAULT '',"
                      " model text NOT NULL DEFAULT '',"
                      " latency_ms double precision NOT NULL DEFAULT 0,"
                      " input_tokens bigint NOT NULL DEFAULT 0,"
                      " output_tokens bigint NOT NULL DEFAULT 0,"
                      " cost_usd double precision NOT NULL DEFAULT 0, quality double precision,"
                      " metric text NOT NULL DEFAULT '', success boolean NOT NULL DEFAULT true,"
                      " error_class text NOT NULL DEFAULT '',"
                      " fallback_hops bigint NOT NULL DEFAULT 0,"
                      " cache_hit boolean NOT NULL DEFAULT false,"
                      " program_id text NOT NULL DEFAULT '', source text NOT NULL DEFAULT '',"
                      " unix_ms bigint NOT NULL DEFAULT 0);"
                      "INSERT INTO step_records(workflow, step, variant, unix_ms, quality)"
                      " VALUES ('wf', 's', 'traditional', 1000, 0.25)"),
              "");
  }
  auto sink = make(R"("retention_days": 0)");
  RawPg raw(pg_.dsn());
  EXPECT_EQ(raw.scalar("SELECT version FROM pipeline_schema"), "2");
  auto got = rows(*sink, R"({"workflow": "wf"})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].unix_ms, 1000);
  EXPECT_EQ(got[0].quality, 0.25);
  EXPECT_EQ(got[0].host_overhead_ms, 0) << "the new member's default";
  StepRecord now = record_of("wf", "s", "dspy_optimized", 2000);
  now.host_overhead_ms = 1.5;
  put(*sink, now);
  ASSERT_TRUE(sink->flush().ok());
  got = rows(*sink, R"({"workflow": "wf"})");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].host_overhead_ms, 1.5);
}

TEST_F(MetricsPostgres, ADatabaseFromANewerPipelineIsRefusedClearly) {
  {
    RawPg raw(pg_.dsn());
    ASSERT_EQ(raw.all("CREATE TABLE pipeline_schema (version integer NOT NULL);"
                      "INSERT INTO pipeline_schema VALUES (99)"),
              "");
  }
  auto s = create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("written by a newer pipeline (history schema version 99, "
                                      "this one reads 2)"),
            std::string::npos)
      << s.status().message();
  RawPg raw(pg_.dsn());
  EXPECT_EQ(raw.scalar("SELECT version FROM pipeline_schema"), "99") << "never rewritten";
}

TEST_F(MetricsPostgres, ARecordComesBackInTheRecordsShape) {
  auto sink = make();
  StepRecord r = record_of("triage", "classify", "dspy_optimized", now_unix_ms(), 0.875);
  r.fallback_hops = 1;
  r.cache_hit = true;
  r.program_id = "opt:v1:abc";
  r.source = "shadow";
  r.latency_ms = 1234.5678901234;
  r.cost_usd = 1e-7;
  r.host_overhead_ms = 3.25;
  r.run_id = "quote ' and \"double\" and \\ and ünïcode";
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

TEST_F(MetricsPostgres, QueriesFilterByEveryMemberTheRouterUses) {
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
  EXPECT_EQ(sink->query(R"({"limit": "ten"})").status, PL_INVALID_ARGUMENT);
}

TEST_F(MetricsPostgres, ALimitReturnsTheNewestOldestFirst) {
  auto sink = make();
  const std::int64_t t = now_unix_ms() - 10000;
  for (int i = 0; i < 10; ++i) put(*sink, record_of("wf", "s", "traditional", t + i));
  auto got = rows(*sink, R"({"workflow": "wf", "limit": 3})");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].unix_ms, t + 7);
  EXPECT_EQ(got[1].unix_ms, t + 8);
  EXPECT_EQ(got[2].unix_ms, t + 9);
}

TEST_F(MetricsPostgres, InsertsWaitForFlushOrAFullBatchAndAQuerySeesTheSinksOwn) {
  auto sink = make(R"("batch_size": 5)");
  for (int i = 0; i < 3; ++i) put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  EXPECT_EQ(count(), "0") << "still in the buffer";
  ASSERT_TRUE(sink->flush().ok());
  EXPECT_EQ(count(), "3");
  for (int i = 0; i < 5; ++i) put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  EXPECT_EQ(count(), "8") << "a full batch is written";
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf"})").size(), 9u) << "the sink reads its own writes";
}

TEST_F(MetricsPostgres, RecordsWaitWhileTheServerIsDownAndArriveAfterItComesBack) {
  auto sink = make(R"("batch_size": 2)");
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  ASSERT_TRUE(sink->flush().ok());
  pg_.kill();
  const std::int64_t t = now_unix_ms();
  for (int i = 0; i < 3; ++i) put(*sink, record_of("wf", "s", "traditional", t + i));
  Status down = sink->flush();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.code(), StatusCode::kUnavailable);
  EXPECT_NE(down.message().find("3 step record(s) wait for the database"), std::string::npos)
      << down.message();
  EXPECT_FALSE(sink->query(R"({"workflow": "wf"})").ok());
  ASSERT_TRUE(pg_.start()) << pg_.error();
  ASSERT_TRUE(eventually([&] { return sink->flush().ok(); }));
  EXPECT_EQ(count(), "4");
  EXPECT_EQ(rows(*sink, R"({"workflow": "wf"})").size(), 4u);
}

TEST_F(MetricsPostgres, AFullBufferDropsTheOldestAndCountsThem) {
  auto sink = make(R"("buffer_records": 3, "batch_size": 10)");
  pg_.kill();
  const std::int64_t t = now_unix_ms();
  std::vector<Status> results;
  for (int i = 0; i < 5; ++i)
    results.push_back(
        sink->record(json::serialize(record_of("wf", "s", "traditional", t + i).to_json())));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(results[i].ok()) << results[i].to_string();
  ASSERT_FALSE(results[4].ok());
  EXPECT_EQ(results[4].code(), StatusCode::kResourceExhausted);
  EXPECT_NE(results[4].message().find("2 dropped so far"), std::string::npos)
      << results[4].message();
  EXPECT_NE(results[4].message().find("buffer_records: 3"), std::string::npos);
  ASSERT_TRUE(pg_.start()) << pg_.error();
  ASSERT_TRUE(eventually([&] { return sink->flush().ok(); }));
  auto got = rows(*sink, R"({"workflow": "wf"})");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].unix_ms, t + 2) << "the oldest went";
  EXPECT_EQ(got[2].unix_ms, t + 4);
}

TEST_F(MetricsPostgres, TheMonitorsSummaryCountsWhatTheFullBufferDropped) {
  auto sink = make(R"("buffer_records": 2)");
  pg_.kill();
  {
    PerformanceMonitor monitor({{"history", sink}}, {.queue_size = 100});
    for (int i = 0; i < 6; ++i) monitor.record(record_of("wf", "s", "traditional", now_unix_ms()));
    ASSERT_TRUE(monitor.flush(std::chrono::seconds(10)));
    const MonitorStats s = monitor.stats();
    ASSERT_EQ(s.sinks.size(), 1u);
    EXPECT_GE(s.sinks[0].errors, 4u);
    EXPECT_NE(s.sinks[0].last_error.find("dropped so far"), std::string::npos)
        << s.sinks[0].last_error;
  }
}

TEST_F(MetricsPostgres, ADeadServerNeverHoldsARecordForLong) {
  auto sink = make(R"("batch_size": 1, "retry_initial_ms": 60000, "retry_max_ms": 60000)");
  pg_.kill();
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));  // finds it gone
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  const auto spent = std::chrono::steady_clock::now() - t0;
  // No attempt is due for a minute: 200 records cost no network wait at all.
  EXPECT_LT(spent, std::chrono::seconds(2));
  EXPECT_NE(sink->flush().message().find("201 step record(s) wait"), std::string::npos);
}

TEST_F(MetricsPostgres, AServerThatStopsAnsweringCostsTheTimeoutThenRecordsWait) {
  auto sink = make(R"("batch_size": 1, "statement_timeout_ms": 300, "connect_timeout_ms": 300)");
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  pg_.freeze();
  const auto t0 = std::chrono::steady_clock::now();
  put(*sink, record_of("wf", "s", "dspy_optimized", now_unix_ms()));  // the insert times out
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));     // a reconnect times out
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5))
      << "bounded by the timeouts, not by the server";
  Status st = sink->flush();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  pg_.thaw();
  ASSERT_TRUE(eventually([&] { return sink->flush().ok(); }));
  // At least once: the timed-out insert may also have gone through when the server woke up.
  auto got = rows(*sink, R"({"workflow": "wf", "variant": "dspy_optimized"})");
  EXPECT_GE(got.size(), 1u);
  EXPECT_GE(rows(*sink, R"({"workflow": "wf", "variant": "traditional"})").size(), 2u);
}

TEST_F(MetricsPostgres, AnUnreachableDatabaseAtStartIsNotAnErrorButIsReported) {
  const int port = pg_.port();
  pg_.stop();
  const auto t0 = std::chrono::steady_clock::now();
  auto sink = host_->create_metrics_sink(
      "postgres", R"({"dsn": "host=127.0.0.1 port=)" + std::to_string(port) +
                      R"( user=pipeline dbname=postgres", "connect_timeout_ms": 500})");
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  put(**sink, record_of("wf", "s", "traditional", now_unix_ms()));
  Status st = (*sink)->flush();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("cannot connect"), std::string::npos) << st.message();
}

TEST_F(MetricsPostgres, SeveralHostsCreatingTheSchemaAtOnceAllSucceed) {
  for (int round = 0; round < 3; ++round) {
    const std::string schema = "race_" + std::to_string(round);
    std::vector<std::thread> hosts;
    std::vector<Status> results(4);
    for (int k = 0; k < 4; ++k) {
      hosts.emplace_back([&, k] {
        // One PluginHost per thread: separate instances, separate connections, as on many hosts.
        auto host = postgres_plugin_host();
        auto s = host->create_metrics_sink("postgres", config(R"("schema": ")" + schema + "\""));
        if (!s.ok()) {
          results[k] = s.status();
          return;
        }
        results[k] = (*s)->record(json::serialize(
            record_of("wf", "s" + std::to_string(k), "traditional", now_unix_ms()).to_json()));
        if (results[k].ok()) results[k] = (*s)->flush();
      });
    }
    for (auto& h : hosts) h.join();
    for (const auto& st : results) EXPECT_TRUE(st.ok()) << st.to_string();
    RawPg raw(pg_.dsn());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM " + schema + ".step_records"), "4");
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM " + schema + ".pipeline_schema"), "1");
  }
}

TEST_F(MetricsPostgres, ConnectionSettingsComeFromThePgVariablesWhenThereIsNoDsn) {
  ScopedEnv host("PGHOST", "127.0.0.1");
  ScopedEnv port("PGPORT", std::to_string(pg_.port()));
  ScopedEnv user("PGUSER", PostgresServer::kUser);
  ScopedEnv db("PGDATABASE", "postgres");
  auto sink = host_->create_metrics_sink("postgres", "{}");
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  put(**sink, record_of("wf", "s", "traditional", now_unix_ms()));
  ASSERT_TRUE((*sink)->flush().ok());
  EXPECT_EQ(count(), "1");
}

TEST_F(MetricsPostgres, BadConfigIsRefusedNamingTheKey) {
  auto unknown = create(R"("retention": 3)");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown config key 'retention'"), std::string::npos)
      << unknown.status().message();
  auto big = create(R"("batch_size": 5000)");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("'batch_size' must be <= 2000"), std::string::npos);
  auto zero = create(R"("buffer_records": 0)");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("'buffer_records' must be >= 1"), std::string::npos);
  auto bad_dsn = host_->create_metrics_sink("postgres", R"({"dsn": "host"})");
  ASSERT_FALSE(bad_dsn.ok());
  EXPECT_NE(bad_dsn.status().message().find("'dsn' is not a libpq connection string"),
            std::string::npos)
      << bad_dsn.status().message();
}

TEST_F(MetricsPostgres, ABadRecordIsRefusedNamingTheMember) {
  auto sink = make();
  Status st = sink->record(R"({"workflow": "wf", "step": "s", "latency_ms": "slow"})");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'latency_ms' must be a number"), std::string::npos) << st.message();
  Status anonymous = sink->record(R"({"step": "s"})");
  EXPECT_NE(anonymous.message().find("'workflow' and 'step'"), std::string::npos);
  Status nul = sink->record(R"({"workflow": "wf", "step": "s", "model": "a\u0000b"})");
  EXPECT_EQ(nul.code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(sink->flush().ok());
  EXPECT_TRUE(rows(*sink, "{}").empty());
}

class MetricsPostgresPassword : public ::testing::Test {
 protected:
  static constexpr const char* kPassword = "s3cr3t-Pa55word";
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << PostgresServer::kSkipMessage;
    ASSERT_TRUE(pg_.start()) << pg_.error();
  }
  std::string config(const std::string& env) const {
    return R"({"dsn": ")" + pg_.dsn() + R"(", "password_env": ")" + env + "\"}";
  }
  PostgresServer pg_{kPassword};
  std::unique_ptr<PluginHost> host_ = postgres_plugin_host();
};

TEST_F(MetricsPostgresPassword, ThePasswordFromTheNamedVariableWorks) {
  ScopedEnv pw("PIPELINE_TEST_PG_PASSWORD", kPassword);
  auto sink = host_->create_metrics_sink("postgres", config("PIPELINE_TEST_PG_PASSWORD"));
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  Status st = (*sink)->record(
      json::serialize(record_of("wf", "s", "traditional", now_unix_ms()).to_json()));
  ASSERT_TRUE(st.ok()) << st.to_string();
  ASSERT_TRUE((*sink)->flush().ok());
  CallResult q = (*sink)->query(R"({"workflow": "wf"})");
  ASSERT_TRUE(q.ok()) << q.error;
  EXPECT_EQ(parse_json(q.body)->get_array().size(), 1u);
}

TEST_F(MetricsPostgresPassword, AWrongPasswordIsReportedWithoutShowingIt) {
  // The server's answer for a wrong password names the user; ours must never echo the secret,
  // whatever text libpq builds around it.
  const std::string wrong = "wrong-" + std::string(kPassword);
  ScopedEnv pw("PIPELINE_TEST_PG_PASSWORD", wrong);
  auto sink = host_->create_metrics_sink("postgres", config("PIPELINE_TEST_PG_PASSWORD"));
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  Status st = (*sink)->record(
      json::serialize(record_of("wf", "s", "traditional", now_unix_ms()).to_json()));
  Status flushed = (*sink)->flush();
  ASSERT_FALSE(flushed.ok());
  EXPECT_NE(flushed.message().find("password authentication failed"), std::string::npos)
      << flushed.message();
  CallResult q = (*sink)->query("{}");
  for (const std::string& m : {st.message(), flushed.message(), q.error}) {
    EXPECT_EQ(m.find(wrong), std::string::npos) << m;
    EXPECT_EQ(m.find(kPassword), std::string::npos) << m;
  }
}

TEST_F(MetricsPostgresPassword, APasswordInTheConfigIsRefusedAndNeverEchoed) {
  auto direct = host_->create_metrics_sink(
      "postgres", R"({"dsn": ")" + pg_.dsn() + R"(", "password": ")" + kPassword + "\"}");
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(direct.status().message().find("'password_env'"), std::string::npos)
      << direct.status().message();
  EXPECT_EQ(direct.status().message().find(kPassword), std::string::npos);

  auto in_dsn = host_->create_metrics_sink(
      "postgres", R"({"dsn": ")" + pg_.dsn() + " password=" + kPassword + "\"}");
  ASSERT_FALSE(in_dsn.ok());
  EXPECT_NE(in_dsn.status().message().find("'dsn' contains a password"), std::string::npos)
      << in_dsn.status().message();
  EXPECT_EQ(in_dsn.status().message().find(kPassword), std::string::npos);

  auto in_uri = host_->create_metrics_sink(
      "postgres", R"({"dsn": "postgresql://pipeline:)" + std::string(kPassword) +
                      "@127.0.0.1:" + std::to_string(pg_.port()) + "/postgres\"}");
  ASSERT_FALSE(in_uri.ok());
  EXPECT_EQ(in_uri.status().message().find(kPassword), std::string::npos);

  auto unset = host_->create_metrics_sink("postgres", config("PIPELINE_TEST_PG_UNSET"));
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("PIPELINE_TEST_PG_UNSET ('password_env') is not set"),
            std::string::npos)
      << unset.status().message();
}

}  // namespace
}  // namespace pipeline::testing
