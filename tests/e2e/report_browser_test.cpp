// `pipeline report`'s page in headless Chromium (Debian's `chromium`): it loads from a file with
// no console message (no script error, no Content-Security-Policy violation) and no request of
// its own, its charts are in the rendered DOM, and a screenshot is kept under the build folder
// (test-artifacts/report.png). A control page that does make a request and log an error proves
// the same checks would catch them.
#include "headless_chromium.hpp"
#include "process.hpp"

#include <pipeline/json.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::HeadlessChromium;
using ::testing::Not;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (HeadlessChromium::binary().empty()) GTEST_SKIP() << HeadlessChromium::kSkipMessage;
    dir_ = fs::temp_directory_path() /
           ("pipeline-report-browser-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Two workflows over two days, one with a hostile name: had it not been escaped, its script
  // would run (or be refused by the policy and logged), which the console check would see. It
  // sorts after triage, so the screenshot shows triage's two variants first.
  fs::path write_report() {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::string lines;
    auto add = [&](const std::string& wf, const std::string& step, const std::string& variant,
                   double q, std::int64_t at, int hops, bool cache_hit) {
      StepRecord r;
      r.workflow = wf;
      r.step = step;
      r.variant = variant;
      r.mode = "hybrid";
      r.run_id = wf + std::to_string(at / 3'600'000);
      r.quality = q;
      r.cost_usd = variant == "traditional" ? 0.002 : 0.0015;
      r.latency_ms = variant == "traditional" ? 420 : 310;
      r.fallback_hops = hops;
      r.success = hops < 2;
      r.error_class = hops < 2 ? "" : "rate_limit";
      r.cache_hit = cache_hit;
      r.unix_ms = at;
      lines += json::serialize(r.to_json()) + "\n";
    };
    for (int i = 0; i < 24; ++i) {
      const std::int64_t at = now - (48 - 2 * i) * 3'600'000LL;
      add("triage", "classify", "traditional", 0.55 + 0.01 * (i % 5), at, i % 7 == 0 ? 1 : 0,
          i % 4 == 0);
      add("triage", "classify", "dspy_optimized", 0.8 + 0.01 * (i % 3), at, i % 9 == 0 ? 2 : 0,
          false);
      add("x<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>", "traditional", 0.6, at,
          0, false);
    }
    std::ofstream(dir_ / "records.jsonl") << lines;
    const fs::path page = dir_ / "report.html";
    auto r = testing::run_process({PIPELINE_BINARY, "report", "--records",
                                   (dir_ / "records.jsonl").string(), "-o", page.string()},
                                  {{"PIPELINE_CONFIG", ""},
                                   {"XDG_CONFIG_HOME", dir_.string()},
                                   {"XDG_DATA_HOME", (dir_ / "data").string()}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return page;
  }

  fs::path dir_;
};

TEST_F(ReportBrowserTest, ThePageLoadsWithNoConsoleMessageAndNoRequest) {
  const fs::path page = write_report();
  HeadlessChromium browser(dir_);
  const auto load = browser.load(page);
  ASSERT_EQ(load.exit_code, 0) << load.stderr_text;
  EXPECT_TRUE(load.console.empty()) << join(load.console);
  ASSERT_TRUE(load.net_log_error.empty()) << load.net_log_error;
  EXPECT_TRUE(load.page_requests.empty()) << join(load.page_requests);
  // The rendered DOM: the summary, both workflows and every chart (two summary bar charts and
  // three per step), the hostile name as text only.
  EXPECT_THAT(load.dom, HasSubstr("<h1>pipeline report</h1>"));
  EXPECT_THAT(load.dom, HasSubstr("<span class=\"name\">triage</span>"));
  EXPECT_EQ(count(load.dom, "<svg class=\"chart\""), 2u + 3u * 2u);
  EXPECT_GT(count(load.dom, "<circle class=\"point\""), 24u);
  EXPECT_THAT(load.dom, Not(HasSubstr("<script")));
  EXPECT_THAT(load.dom, Not(HasSubstr("<img")));
  EXPECT_THAT(load.dom, HasSubstr("x&lt;script&gt;alert('x')&lt;/script&gt;"));
}

TEST_F(ReportBrowserTest, AScreenshotIsKeptAsATestArtifact) {
  const fs::path page = write_report();
  const fs::path artifacts = fs::path(PIPELINE_BINARY_DIR) / "test-artifacts";
  fs::create_directories(artifacts);
  const fs::path png = artifacts / "report.png";
  fs::remove(png);
  HeadlessChromium browser(dir_);
  auto r = browser.screenshot(page, png, 1280, 2000);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(png)) << r.err;
  // A PNG of the requested size (the IHDR chunk: width and height, big-endian, at byte 16).
  std::ifstream in(png, std::ios::binary);
  unsigned char head[24] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(head + 1), 3), "PNG");
  auto be32 = [&](int at) {
    return (std::uint32_t{head[at]} << 24) | (std::uint32_t{head[at + 1]} << 16) |
           (std::uint32_t{head[at + 2]} << 8) | std::uint32_t{head[at + 3]};
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 2000u);
  // Text and charts compress far worse than a blank page (about 10 KB at this size).
  EXPECT_GT(fs::file_size(png), 40'000u);
  std::cout << "screenshot: " << png.string() << std::endl;
  RecordProperty("screenshot", png.string());
}

TEST_F(ReportBrowserTest, APageThatMakesARequestOrLogsAnErrorIsCaught) {
  // The checks above pass only if they can fail: this page logs an error and loads an image.
  const fs::path page = dir_ / "control.html";
  std::ofstream(page) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
                         "<script>console.error('control error')</script>"
                         "<img src=\"http://example.invalid/x.png\"></body></html>";
  HeadlessChromium browser(dir_);
  const auto load = browser.load(page);
  ASSERT_EQ(load.exit_code, 0) << load.stderr_text;
  EXPECT_THAT(join(load.console), HasSubstr("control error"));
  ASSERT_TRUE(load.net_log_error.empty()) << load.net_log_error;
  EXPECT_THAT(load.page_requests, ::testing::Contains("http://example.invalid/x.png"));
}

}  // namespace
}  // namespace pipeline
