// End to end: `pipeline report` on the built binary, over exported records and over the history
// `pipeline run` leaves: every workflow or one, the same recommendation as `pipeline compare`,
// hostile names escaped, an empty history, and bad input exiting 2 without leaving a file.
#include "process.hpp"

#include <pipeline/json.hpp>
#include <pipeline/monitor/step_record.hpp>
#include <pipeline/util/html_escape.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-report-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    wf_ = write("wf.yaml",
                "workflow:\n  name: triage\n  steps:\n"
                "    - {name: classify, type: claude, signature: \"ticket -> label\","
                " prompt: [{type: static, content: x}]}\n");
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::string lines;
    auto add = [&](const std::string& workflow, const std::string& step, const std::string& variant,
                   double q, std::int64_t at, const std::string& run) {
      StepRecord r;
      r.workflow = workflow;
      r.step = step;
      r.variant = variant;
      r.mode = "hybrid";
      r.run_id = run;
      r.quality = q;
      r.cost_usd = 0.001;
      r.latency_ms = 100;
      r.unix_ms = at;
      lines += json::serialize(r.to_json()) + "\n";
    };
    for (int i = 0; i < 6; ++i) {
      const std::string run = "t" + std::to_string(i % 3);  // three triage runs, one of notes
      add("triage", "classify", "traditional", 0.5, now - 1000 - i * 60'000, run);
      add("triage", "classify", "dspy_optimized", 0.9, now - 1000 - i * 60'000, run);
      add("notes", "draft", "traditional", 0.7, now - 3LL * 86'400'000 - i, "n0");
    }
    records_ = write("records.jsonl", lines);
  }
  void TearDown() override { fs::remove_all(dir_); }
  ProcessResult pipeline(std::vector<std::string> args) {
    args.insert(args.begin(), PIPELINE_BINARY);
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_DATA_HOME", (dir_ / "data").string()},
                                 {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  std::string write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string out(const std::string& name = "report.html") { return (dir_ / name).string(); }
  // Files other than the inputs and the report: a temporary file left behind.
  std::vector<std::string> leftovers() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string n = e.path().filename().string();
      if (n != "wf.yaml" && n != "records.jsonl" && n != "report.html" && n != "data")
        names.push_back(n);
    }
    return names;
  }
  fs::path dir_;
  std::string wf_, records_;
};

TEST_F(ReportCliTest, EveryWorkflowByDefault) {
  auto r = pipeline({"report", "--records", records_, "-o", out()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote " + out() + ": 18 records of 2 workflow(s)"));
  const std::string page = read(out());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(page, HasSubstr("<title>pipeline report: all workflows</title>"));
  EXPECT_THAT(page, HasSubstr("<h2>workflow <span class=\"name\">triage</span></h2>"));
  EXPECT_THAT(page, HasSubstr("<h2>workflow <span class=\"name\">notes</span></h2>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>records</td><td class=\"num\">18</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>runs</td><td class=\"num\">4</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>total cost</td><td class=\"num\">$0.0180</td></tr>"));
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
}

TEST_F(ReportCliTest, OneWorkflowByNameAndSince) {
  auto r = pipeline({"report", "triage", "--records", records_, "--since", "1d", "-o", out()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = read(out());
  EXPECT_THAT(page, HasSubstr("<title>pipeline report: workflow triage</title>"));
  EXPECT_THAT(page, HasSubstr("records since 1d ago"));
  EXPECT_THAT(page, Not(HasSubstr("notes")));
  EXPECT_THAT(page, HasSubstr("<tr><td>records</td><td class=\"num\">12</td></tr>"));
  // notes' records are three days old: the period holds none, which is not an error.
  auto old = pipeline({"report", "notes", "--records", records_, "--since", "1d", "-o", out()});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_THAT(read(out()), HasSubstr("Nothing recorded yet in this period."));
}

TEST_F(ReportCliTest, TheRecommendationIsTheOneCompareGives) {
  auto compare = pipeline({"compare", wf_, "--records", records_, "--json"});
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  auto doc = parse_json(compare.out);
  ASSERT_TRUE(doc) << compare.out;
  const auto& c = doc->at("steps").at(0);
  const std::string rec(c.at("recommendation").as_string());
  EXPECT_EQ(rec, "recommend_dspy");
  auto r = pipeline({"report", wf_, "--records", records_, "-o", out()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = read(out());
  EXPECT_THAT(page, HasSubstr("<span class=\"badge rec-" + rec + "\">" + rec + "</span> " +
                              html_escape(c.at("reason").as_string())));
  EXPECT_THAT(page, HasSubstr("(from the workflow's hybrid_config)"));
  EXPECT_THAT(page, Not(HasSubstr("notes")));  // the file names one workflow
}

TEST_F(ReportCliTest, HostileNamesAreEscaped) {
  StepRecord r;
  r.workflow = "<script>alert('wf')</script>";
  r.step = "\"><img src=x onerror=alert(1)>";
  r.unix_ms = 1000;
  auto hostile = write("hostile.jsonl", json::serialize(r.to_json()) + "\n");
  auto res = pipeline({"report", "--records", hostile, "-o", out()});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  const std::string page = read(out());
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<img")));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(&#39;wf&#39;)&lt;/script&gt;"));
  EXPECT_THAT(page, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

TEST_F(ReportCliTest, AnEmptyHistoryIsAValidPage) {
  auto r = pipeline({"report", "-o", out()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 records of 0 workflow(s)"));
  const std::string page = read(out());
  EXPECT_THAT(page, HasSubstr("Nothing recorded yet."));
  EXPECT_THAT(page, HasSubstr("</html>"));
}

TEST_F(ReportCliTest, ItReadsTheHistoryRunsLeft) {
  for (int i = 0; i < 2; ++i) {
    auto run = pipeline({"run", wf_, "--quiet", "--output-dir", (dir_ / "out").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  for (const std::string& which : {std::string(), std::string("triage"), wf_}) {
    std::vector<std::string> args = {"report", "-o", out()};
    if (!which.empty()) args.insert(args.begin() + 1, which);
    auto r = pipeline(args);
    ASSERT_EQ(r.exit_code, 0) << which << ": " << r.err;
    const std::string page = read(out());
    EXPECT_THAT(page, HasSubstr("<tr><td>runs</td><td class=\"num\">2</td></tr>")) << which;
    EXPECT_THAT(page, HasSubstr("<h3>step <span class=\"name\">classify</span></h3>")) << which;
  }
}

TEST_F(ReportCliTest, AnUnknownWorkflowExits2AndLeavesTheOldReport) {
  write("report.html", "the previous report");
  auto r = pipeline({"report", "nope", "--records", records_, "-o", out()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("workflow 'nope' has no records in the history (recorded "
                               "workflows: notes, triage)"));
  EXPECT_EQ(read(out()), "the previous report");
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  auto empty = pipeline({"report", "triage", "-o", out()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("workflow 'triage' has no records in the history (the "
                                   "history is empty)"));
}

TEST_F(ReportCliTest, BadInputExits2WithoutWritingAFile) {
  const std::string missing_dir = (dir_ / "no-such-dir" / "report.html").string();
  auto dir = pipeline({"report", "--records", records_, "-o", missing_dir});
  EXPECT_EQ(dir.exit_code, 2);
  EXPECT_THAT(dir.err,
              HasSubstr("the folder " + (dir_ / "no-such-dir").string() + " does not exist"));
  EXPECT_FALSE(fs::exists(dir_ / "no-such-dir"));
  auto folder = pipeline({"report", "--records", records_, "-o", dir_.string()});
  EXPECT_EQ(folder.exit_code, 2);
  EXPECT_THAT(folder.err, HasSubstr("is a folder, not a file"));
  auto since = pipeline({"report", "--records", records_, "--since", "yesterday", "-o", out()});
  EXPECT_EQ(since.exit_code, 2);
  EXPECT_THAT(since.err, HasSubstr("--since 'yesterday'"));
  auto bad = write("bad.jsonl", "{\"workflow\": \"triage\"}\n");
  auto rec = pipeline({"report", "--records", bad, "-o", out()});
  EXPECT_EQ(rec.exit_code, 2);
  EXPECT_THAT(rec.err, HasSubstr("bad.jsonl:1:"));
  auto no_file = pipeline({"report", (dir_ / "none.yaml").string(), "-o", out()});
  EXPECT_EQ(no_file.exit_code, 2);
  auto no_output = pipeline({"report", "--records", records_});
  EXPECT_EQ(no_output.exit_code, 2);
  EXPECT_FALSE(fs::exists(out()));
}

}  // namespace
}  // namespace pipeline
