// The jsonl metrics sink's own promises: a record is one line, exactly as handed in; lines wait
// in a buffer until flush or a full buffer; a writer killed in the middle of its writes never
// leaves a torn line (a partial last line is cut off by the next writer); rotation by size and
// by UTC day with numbered names and a bounded number of kept files, shared by two processes
// without losing or tearing a line; a file moved away is reopened; bad config names the setting.
#include <pipeline/json.hpp>
#include <pipeline/monitor/performance_monitor.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "jsonl_sink_writer.hpp"
#include "monitor_test_support.hpp"

namespace pipeline::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A file's lines as a reader sees them: the '\n'-terminated lines, and what follows the last
// '\n' (empty unless a writer is, or died, inside a write).
struct Lines {
  std::vector<std::string> whole;
  std::string unterminated;
};

Lines lines_of(const fs::path& p) {
  Lines out;
  std::string text = read_file(p);
  std::size_t at = 0;
  for (std::size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    out.whole.push_back(text.substr(at, nl - at));
  out.unterminated = text.substr(at);
  return out;
}

// Every line as a step record; a line that does not parse fails the test, naming it.
std::vector<StepRecord> records_of(const std::vector<std::string>& lines, const fs::path& file) {
  std::vector<StepRecord> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto doc = parse_json(lines[i]);
    auto rec = doc.ok() ? StepRecord::from_json(*doc) : Result<StepRecord>(doc.status());
    EXPECT_TRUE(rec.ok()) << file << " line " << i + 1
                          << " does not parse: " << rec.status().to_string() << "\n"
                          << lines[i];
    if (rec.ok()) out.push_back(*rec);
  }
  return out;
}

// The sink's file and its rotated files, oldest first (by the naming scheme: day, then number).
std::vector<fs::path> file_set(const fs::path& active) {
  std::vector<std::pair<std::string, fs::path>> rotated;
  const std::string stem = active.stem().string() + ".";
  for (const auto& e : fs::directory_iterator(active.parent_path())) {
    const std::string name = e.path().filename().string();
    if (e.path() == active || name.rfind(stem, 0) != 0 || e.path().extension() != ".jsonl")
      continue;
    // <stem>.<day>[.<n>].jsonl: day, then the number (none = 0) as a sortable key.
    std::string middle = name.substr(stem.size(), name.size() - stem.size() - 6);
    std::string day = middle.substr(0, 10);
    std::int64_t n = middle.size() > 11 ? std::stoll(middle.substr(11)) : 0;
    char key[64];
    std::snprintf(key, sizeof key, "%s.%012lld", day.c_str(), static_cast<long long>(n));
    rotated.emplace_back(key, e.path());
  }
  std::sort(rotated.begin(), rotated.end());
  std::vector<fs::path> out;
  for (auto& [_, p] : rotated) out.push_back(p);
  if (fs::exists(active)) out.push_back(active);
  return out;
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// Sets a file's modification time to noon UTC of 2026-12-01 (a day that is over).
void make_last_written_on_2026_12_01(const fs::path& p) {
  const std::time_t noon = 1796126400;  // 2026-12-01T12:00:00Z
  timespec times[2] = {{noon, 0}, {noon, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
}

// The records of writers "writer0", "writer1", ... (`writers` of them) that ran one after the
// other on one file: each writer's records in one block, numbered 0, 1, 2, ... with none missing.
void expect_writers_in_order(const std::vector<StepRecord>& recs, int writers) {
  std::string tag;
  std::int64_t seq = 0;
  int seen = 0;
  for (std::size_t i = 0; i < recs.size(); ++i, ++seq) {
    if (recs[i].run_id != tag) {
      tag = recs[i].run_id;
      seq = 0;
      if (tag != "writer" + std::to_string(seen++)) {
        ADD_FAILURE() << "line " << i + 1 << ": records of " << tag << " out of order";
        return;
      }
    }
    if (json::serialize(recs[i].to_json()) != json::serialize(writer_record(tag, seq).to_json())) {
      ADD_FAILURE() << "line " << i + 1 << ": expected " << tag << "'s record " << seq
                    << " (one lost or reordered), found " << json::serialize(recs[i].to_json());
      return;
    }
  }
  EXPECT_EQ(seen, writers) << "a writer left no record";
}

// A jsonl_sink_writer process; killed (SIGKILL) and reaped when it goes out of scope.
class Writer {
 public:
  Writer(const std::string& config, const std::string& tag) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(JSONL_SINK_WRITER, JSONL_SINK_WRITER, config.c_str(), tag.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Writer() { kill(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  bool running() {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

class MetricsJsonl : public ::testing::Test {
 protected:
  Result<std::shared_ptr<MetricsSinkInstance>> create(const std::string& extra = "") {
    return host_.create_metrics_sink("jsonl", config(extra));
  }
  std::string config(const std::string& extra = "") const {
    return R"({"path": ")" + file_.string() + "\"" + (extra.empty() ? "" : ", " + extra) + "}";
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
  static void flush(const MetricsSinkInstance& sink) {
    Status st = sink.flush();
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  std::string refusal(const std::string& cfg) {
    auto s = host_.create_metrics_sink("jsonl", cfg);
    EXPECT_FALSE(s.ok()) << cfg;
    return s.ok() ? "" : s.status().message();
  }

  void SetUp() override {
    Status st = host_.load_file(fs::path(PIPELINE_PLUGIN_DIR) / "libpipeline_metrics_jsonl.so");
    ASSERT_TRUE(st.ok()) << st.to_string();
  }

  TempDir dir_;
  fs::path file_ = dir_.path() / "audit.jsonl";
  PluginHost host_;
};

TEST_F(MetricsJsonl, ARecordIsOneLineExactlyAsHandedIn) {
  auto sink = make();
  StepRecord r = record_of("triage", "classify", "dspy_optimized", now_unix_ms(), 0.875);
  r.program_id = "opt:v1:abc";
  StepRecord failed = record_of("triage", "classify", "traditional", r.unix_ms + 1);
  failed.success = false;
  failed.error_class = "rate_limited";
  put(*sink, r);
  put(*sink, failed);
  flush(*sink);
  EXPECT_EQ(read_file(file_),
            json::serialize(r.to_json()) + "\n" + json::serialize(failed.to_json()) + "\n");
  auto back = records_of(lines_of(file_).whole, file_);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(json::serialize(back[1].to_json()), json::serialize(failed.to_json()));
}

TEST_F(MetricsJsonl, LinesWaitForFlushOrAFullBuffer) {
  auto sink = make(R"("buffer_records": 3)");
  put(*sink, record_of("wf", "a", "traditional", 1));
  put(*sink, record_of("wf", "b", "traditional", 2));
  EXPECT_EQ(read_file(file_), "") << "still buffered";
  flush(*sink);
  EXPECT_EQ(lines_of(file_).whole.size(), 2u);
  for (int i = 0; i < 3; ++i) put(*sink, record_of("wf", "c", "traditional", 3 + i));
  EXPECT_EQ(lines_of(file_).whole.size(), 5u) << "a full buffer is written";
}

TEST_F(MetricsJsonl, TheBufferIsWrittenWhenTheSinkGoesAway) {
  {
    auto sink = make();
    put(*sink, record_of("wf", "a", "traditional", 1));
  }
  EXPECT_EQ(records_of(lines_of(file_).whole, file_).size(), 1u);
}

TEST_F(MetricsJsonl, AnExistingFileIsAppendedTo) {
  std::ofstream(file_) << R"({"workflow": "earlier"})"
                       << "\n";
  {
    auto sink = make(R"("fsync": true)");
    put(*sink, record_of("wf", "a", "traditional", 1));
  }
  Lines l = lines_of(file_);
  ASSERT_EQ(l.whole.size(), 2u);
  EXPECT_EQ(l.whole[0], R"({"workflow": "earlier"})");
  EXPECT_EQ(l.unterminated, "");
}

TEST_F(MetricsJsonl, APartialLastLineLeftByACrashIsCutOff) {
  const std::string whole = json::serialize(record_of("wf", "a", "traditional", 1).to_json());
  const std::string next = json::serialize(record_of("wf", "b", "traditional", 2).to_json());
  std::ofstream(file_) << whole << "\n" << next.substr(0, next.size() / 2);
  auto sink = make();
  EXPECT_EQ(read_file(file_), whole + "\n") << "cut when the sink opens the file";
  std::ofstream(file_, std::ios::app) << next.substr(0, 10);  // another writer dies mid-line
  put(*sink, record_of("wf", "c", "traditional", 3));
  flush(*sink);
  Lines l = lines_of(file_);
  ASSERT_EQ(l.whole.size(), 2u);
  EXPECT_EQ(l.unterminated, "");
  auto recs = records_of(l.whole, file_);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].step, "c") << "cut again before the next batch";
}

TEST_F(MetricsJsonl, AWholeRecordWithoutItsNewlineIsKeptAndEnded) {
  std::ofstream(file_) << R"({"workflow": "wf", "written": "by another program"})";
  auto sink = make();
  put(*sink, record_of("wf", "a", "traditional", 1));
  flush(*sink);
  Lines l = lines_of(file_);
  ASSERT_EQ(l.whole.size(), 2u);
  EXPECT_EQ(l.whole[0], R"({"workflow": "wf", "written": "by another program"})");
  EXPECT_EQ(records_of({l.whole[1]}, file_).size(), 1u);
}

TEST_F(MetricsJsonl, ARawLineBreakInARecordStaysOnItsLine) {
  auto sink = make();
  ASSERT_TRUE(sink->record("{\n  \"workflow\": \"wf\",\r\n  \"step\": \"a b\\nc\"\n}").ok());
  flush(*sink);
  Lines l = lines_of(file_);
  ASSERT_EQ(l.whole.size(), 1u);
  auto doc = parse_json(l.whole[0]);
  ASSERT_TRUE(doc.ok()) << l.whole[0];
  EXPECT_EQ(doc->at("step").as_string(), "a b\nc") << "escapes inside strings are untouched";
}

TEST_F(MetricsJsonl, ARecordThatIsNotAJsonObjectIsRefused) {
  auto sink = make();
  Status st = sink->record(R"({"workflow": "wf", "step": )");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("a record must be a JSON object"), std::string::npos) << st.message();
  EXPECT_FALSE(sink->record("[1, 2]").ok());
  flush(*sink);
  EXPECT_EQ(read_file(file_), "");
}

// The crash guarantee. A writer process appends records in batches (one write() of ~75 KB
// each) and is SIGKILLed at a random moment, five times over on one file. After each kill every
// line a reader can see parses, and the writer's records are all there up to where it died, in
// order; a kill inside a write() can leave a partial last line (Linux stops a write that spans
// pages at a page boundary), which has no '\n' and is cut off when the next writer opens the file.
TEST_F(MetricsJsonl, AKilledWriterNeverLeavesATornLine) {
  std::mt19937 random(std::random_device{}());
  int partial_tails = 0;
  for (int round = 0; round < 5; ++round) {
    const auto before = fs::exists(file_) ? fs::file_size(file_) : 0;
    {
      Writer writer(config(R"("buffer_records": 200)"), "writer" + std::to_string(round));
      ASSERT_TRUE(eventually([&] {
        return fs::exists(file_) && fs::file_size(file_) > before + 300000;
      })) << "the writer wrote nothing";
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
      ASSERT_TRUE(writer.running()) << "the writer stopped before it was killed";
      writer.kill();
    }
    Lines l = lines_of(file_);
    expect_writers_in_order(records_of(l.whole, file_), round + 1);
    if (!l.unterminated.empty()) ++partial_tails;
  }
  // Opening the file again (what the next run does) cuts a partial last line off.
  ASSERT_NE(make(), nullptr);
  Lines l = lines_of(file_);
  EXPECT_EQ(l.unterminated, "");
  expect_writers_in_order(records_of(l.whole, file_), 5);
  RecordProperty("kills_inside_a_write", partial_tails);
}

// Two processes share one file with size rotation: no line is lost or torn, each writer's
// records stay in order across the rotated files, no file passes max_bytes, and the names follow
// the scheme.
TEST_F(MetricsJsonl, TwoProcessesRotatingOneFileLoseAndTearNothing) {
  const std::int64_t max_bytes = 100000;
  {
    const std::string cfg = config(R"("buffer_records": 20, "max_bytes": 100000, "max_files": 0)");
    Writer a(cfg, "a");
    Writer b(cfg, "b");
    ASSERT_TRUE(eventually([&] { return file_set(file_).size() >= 12; }, std::chrono::seconds(30)))
        << "no rotation happened";
    ASSERT_TRUE(a.running() && b.running());
    a.kill();
    b.kill();
  }
  ASSERT_NE(make(), nullptr);  // cuts a partial last line off
  const std::string day = today_utc();
  std::map<std::string, std::int64_t> next;  // per writer: the sequence number expected next
  const auto files = file_set(file_);
  for (std::size_t f = 0; f < files.size(); ++f) {
    const fs::path& p = files[f];
    if (p != file_) {
      EXPECT_EQ(p.filename().string().substr(0, 16), "audit." + day) << p;
    }
    EXPECT_LE(static_cast<std::int64_t>(fs::file_size(p)), max_bytes) << p;
    Lines l = lines_of(p);
    EXPECT_EQ(l.unterminated, "") << p;
    for (const auto& r : records_of(l.whole, p)) {
      ASSERT_TRUE(r.run_id == "a" || r.run_id == "b") << r.run_id;
      ASSERT_EQ(r.unix_ms, kFirstUnixMs + next[r.run_id]) << p << ": lost or out of order";
      ++next[r.run_id];
    }
  }
  EXPECT_GT(next["a"], 0);
  EXPECT_GT(next["b"], 0);
  ASSERT_GE(files.size(), 3u);
  EXPECT_EQ(files[0].filename(), "audit." + day + ".jsonl") << "the day's first has no number";
  EXPECT_EQ(files[1].filename(), "audit." + day + ".1.jsonl");
}

TEST_F(MetricsJsonl, SizeRotationKeepsTheNewestMaxFiles) {
  const std::string day = today_utc();
  // Two records fit under max_bytes, a third rotates.
  const std::size_t line =
      json::serialize(record_of("wf", "s", "traditional", 10).to_json()).size() + 1;
  auto sink = make(R"("buffer_records": 1, "max_files": 3, "max_bytes": )" +
                   std::to_string(2 * line + line / 2));
  for (int i = 0; i < 12; ++i) put(*sink, record_of("wf", "s", "traditional", i));
  if (today_utc() != day) GTEST_SKIP() << "the UTC day changed during the test";
  const auto files = file_set(file_);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.filename().string());
  // 6 files were written (2 records each); the first 2 rotated out were pruned.
  EXPECT_EQ(names,
            (std::vector<std::string>{"audit." + day + ".2.jsonl", "audit." + day + ".3.jsonl",
                                      "audit." + day + ".4.jsonl", "audit.jsonl"}));
  std::vector<std::int64_t> kept;
  for (const auto& f : files)
    for (const auto& r : records_of(lines_of(f).whole, f)) kept.push_back(r.unix_ms);
  EXPECT_EQ(kept, (std::vector<std::int64_t>{4, 5, 6, 7, 8, 9, 10, 11}));
}

TEST_F(MetricsJsonl, PrunedNumbersAreNotReused) {
  const std::string day = today_utc();
  auto sink = make(R"("buffer_records": 1, "max_bytes": 10, "max_files": 1)");
  for (int i = 0; i < 4; ++i) put(*sink, record_of("wf", "s", "traditional", i));
  if (today_utc() != day) GTEST_SKIP() << "the UTC day changed during the test";
  const auto files = file_set(file_);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].filename(), "audit." + day + ".2.jsonl")
      << "the newest rotated file sorts last even after the older ones went";
  EXPECT_EQ(records_of(lines_of(files[0]).whole, files[0])[0].unix_ms, 2);
}

TEST_F(MetricsJsonl, DailyRotationNamesTheFileAfterTheDayItWasWritten) {
  std::ofstream(file_) << R"({"workflow": "yesterday"})"
                       << "\n";
  make_last_written_on_2026_12_01(file_);
  {
    auto sink = make(R"("rotate_daily": true)");
    put(*sink, record_of("wf", "today", "traditional", 1));
    flush(*sink);
    put(*sink, record_of("wf", "today", "traditional", 2));
    flush(*sink);
  }
  const fs::path old_day = dir_.path() / "audit.2026-12-01.jsonl";
  EXPECT_EQ(read_file(old_day), "{\"workflow\": \"yesterday\"}\n");
  EXPECT_EQ(lines_of(file_).whole.size(), 2u) << "today's records stay together";
  // A second file last written that day (another process, a restored backup) gets a number.
  make_last_written_on_2026_12_01(file_);
  auto sink = make(R"("rotate_daily": true)");
  put(*sink, record_of("wf", "later", "traditional", 3));
  flush(*sink);
  EXPECT_EQ(lines_of(dir_.path() / "audit.2026-12-01.1.jsonl").whole.size(), 2u);
  EXPECT_EQ(lines_of(file_).whole.size(), 1u);
}

TEST_F(MetricsJsonl, AFileMovedAwayIsReopened) {
  auto sink = make();
  put(*sink, record_of("wf", "a", "traditional", 1));
  flush(*sink);
  const fs::path moved = dir_.path() / "audit.jsonl.1";  // what logrotate does
  fs::rename(file_, moved);
  put(*sink, record_of("wf", "b", "traditional", 2));
  flush(*sink);
  EXPECT_EQ(lines_of(moved).whole.size(), 1u) << "the moved file gets nothing more";
  auto recs = records_of(lines_of(file_).whole, file_);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].step, "b");
}

TEST_F(MetricsJsonl, ConcurrentRecordersThroughTheMonitorLoseNothing) {
  auto sink = make();
  PerformanceMonitor monitor({{"audit", sink}}, {.queue_size = 10000});
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 250; ++i)
        monitor.record(record_of("wf", "s" + std::to_string(k), "traditional", i));
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(30)));
  EXPECT_EQ(monitor.stats().sink_errors(), 0u);
  EXPECT_EQ(records_of(lines_of(file_).whole, file_).size(), 1000u);
}

TEST_F(MetricsJsonl, BadConfigIsRefusedNamingTheSetting) {
  EXPECT_NE(refusal(config(R"("rotate": "daily")")).find("unknown config key 'rotate'"),
            std::string::npos);
  EXPECT_NE(refusal(config(R"("fsync": "yes")")).find("'fsync' must be true or false"),
            std::string::npos);
  EXPECT_NE(refusal(config(R"("rotate_daily": 1)")).find("'rotate_daily' must be true or false"),
            std::string::npos);
  EXPECT_NE(refusal(config(R"("max_bytes": "1MB")")).find("'max_bytes' must be an integer"),
            std::string::npos);
  EXPECT_NE(refusal(config(R"("buffer_records": 0)")).find("'buffer_records' must be >= 1"),
            std::string::npos);
  EXPECT_NE(refusal(config(R"("max_files": -1)")).find("'max_files' must be >= 0"),
            std::string::npos);
  EXPECT_NE(refusal("{}").find("'path' (a file name) is required"), std::string::npos);
  EXPECT_NE(refusal(R"({"path": 3})").find("'path'"), std::string::npos);
  // A folder that cannot be made (a regular file is in the way).
  std::ofstream(dir_.path() / "plain") << "x";
  const std::string blocked = (dir_.path() / "plain" / "audit.jsonl").string();
  std::string m = refusal(R"({"path": ")" + blocked + "\"}");
  EXPECT_NE(m.find("cannot create the folder of 'path' (" + (dir_.path() / "plain").string()),
            std::string::npos)
      << m;
  m = refusal(R"({"path": "/dev/null", "max_bytes": 1000})");
  EXPECT_NE(m.find("not a regular file, so 'max_bytes' and 'rotate_daily' cannot rotate it"),
            std::string::npos)
      << m;
  m = refusal(R"({"path": ")" + dir_.path().string() + "\"}");
  EXPECT_NE(m.find("cannot open 'path' " + dir_.path().string()), std::string::npos) << m;
}

}  // namespace
}  // namespace pipeline::testing
