// Debian's `chromium` run headless on a local HTML file, for tests of pages that must work
// offline (`pipeline report`): the DOM after loading, every console message the page caused (a
// script error, a Content-Security-Policy violation), every request the page itself started
// (from Chromium's net log, leaving out the browser's own background traffic), and a screenshot.
//
//   if (HeadlessChromium::binary().empty()) GTEST_SKIP() << HeadlessChromium::kSkipMessage;
//   HeadlessChromium browser(temp_dir);
//   auto load = browser.load(page);          // load.dom, load.console, load.page_requests
//   browser.screenshot(page, "shot.png", 1280, 2000);
#pragma once

#include "process.hpp"

#include <pipeline/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pipeline::testing {

class HeadlessChromium {
 public:
  static constexpr const char* kSkipMessage =
      "chromium is not installed (apt-get install chromium); headless browser tests skipped";

  // $CHROMIUM, else /usr/bin/chromium; empty when neither is an executable.
  static std::string binary() {
    for (const char* c : {static_cast<const char*>(std::getenv("CHROMIUM")), "/usr/bin/chromium"})
      if (c != nullptr && *c != '\0' && ::access(c, X_OK) == 0) return c;
    return "";
  }

  // Profiles and net logs go under `work_dir`, which the caller owns and removes.
  explicit HeadlessChromium(std::filesystem::path work_dir) : dir_(std::move(work_dir)) {}

  struct Load {
    int exit_code = -1;
    std::string dom;                         // document.documentElement.outerHTML after load
    std::vector<std::string> console;        // the page's console messages, as Chromium logs them
    std::vector<std::string> page_requests;  // URLs the page asked the network stack for
    std::string stderr_text;
    std::string net_log_error;  // why the net log could not be read (empty: it was)
  };

  Load load(const std::filesystem::path& page) {
    const auto net_log = dir_ / ("netlog-" + std::to_string(++runs_) + ".json");
    ProcessResult r = run(page, {"--dump-dom", "--log-net-log=" + net_log.string()});
    Load out;
    out.exit_code = r.exit_code;
    out.dom = std::move(r.out);
    out.stderr_text = r.err;
    std::istringstream lines(r.err);
    // Console messages are logged as "[pid:tid:time:INFO:CONSOLE:line] "text", source: ...",
    // whatever their level; the page should cause none at all.
    for (std::string line; std::getline(lines, line);)
      if (line.find(":CONSOLE") != std::string::npos) out.console.push_back(line);
    read_page_requests(net_log, out);
    return out;
  }

  ProcessResult screenshot(const std::filesystem::path& page, const std::filesystem::path& png,
                           int width, int height) {
    return run(page, {"--screenshot=" + png.string(),
                      "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                      "--hide-scrollbars"});
  }

 private:
  ProcessResult run(const std::filesystem::path& page, std::vector<std::string> extra) {
    const auto profile = dir_ / ("profile-" + std::to_string(++runs_));
    std::vector<std::string> argv = {
        // A hung browser must not hang the suite.
        "/usr/bin/timeout", "--kill-after=5", "60", binary(), "--headless=new", "--disable-gpu",
        "--user-data-dir=" + profile.string(), "--no-first-run", "--no-default-browser-check",
        "--disable-extensions", "--disable-background-networking", "--disable-component-update",
        "--disable-sync",
        // Nothing resolves: a request that slipped past the page's policy still goes nowhere.
        "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0"};
    if (::geteuid() == 0) argv.push_back("--no-sandbox");  // Chromium refuses root otherwise
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("file://" + std::filesystem::absolute(page).string());
    return run_process(argv);
  }

  // The page's own requests carry a network isolation key of the file:// site; the browser's
  // background requests (update checks, accounts) have none or their own.
  static void read_page_requests(const std::filesystem::path& net_log, Load& out) {
    std::ifstream in(net_log);
    if (!in) {
      out.net_log_error = net_log.string() + ": not written";
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto doc = parse_json(text.str());
    if (!doc || !doc->is_object()) {
      out.net_log_error = net_log.string() + ": not JSON";
      return;
    }
    const auto* types = doc->as_object().if_contains("constants");
    if (types == nullptr) {
      out.net_log_error = "no constants";
      return;
    }
    const auto* start = types->at("logEventTypes").as_object().if_contains("URL_REQUEST_START_JOB");
    if (start == nullptr) {
      out.net_log_error = "no URL_REQUEST_START_JOB event type";
      return;
    }
    for (const auto& e : doc->at("events").as_array()) {
      const auto& ev = e.as_object();
      if (ev.at("type") != *start) continue;
      const auto* params = ev.if_contains("params");
      if (params == nullptr || !params->is_object()) continue;
      const auto* key = params->as_object().if_contains("network_isolation_key");
      const auto* url = params->as_object().if_contains("url");
      if (key == nullptr || url == nullptr || !key->is_string() || !url->is_string()) continue;
      if (std::string_view(key->as_string()).find("file://") != std::string_view::npos)
        out.page_requests.emplace_back(url->as_string());
    }
  }

  std::filesystem::path dir_;
  int runs_ = 0;
};

}  // namespace pipeline::testing
