// provider_throughput: requests/s through the anthropic, gemini and openai provider plugins (loaded
// as .so files through PluginHost) against the in-process loopback mock LLM server, at several
// concurrencies and server latencies, next to
//   - the ideal limit  concurrency / latency  (requests/s when the client adds nothing), and
//   - a bare libcurl loop sending the same HTTP requests (one reused easy handle per thread).
// Prints a Markdown table (medians of --repetitions runs) for docs/performance.md.
//
//   build/bench/provider_throughput/provider_throughput [--repetitions 3] [--quick]
#include <curl/curl.h>
#include <boost/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "mock_llm_server/mock_llm_server.hpp"

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using pipeline::testing::MockLlmServer;

constexpr const char* kKeyEnv = "PIPELINE_BENCH_KEY";
constexpr const char* kKey = "bench-key-0123456789";

struct Run {
  double rps = 0;
  double us_per_request = 0;  // wall time per request as seen by one thread
  int failures = 0;
};

// Runs `total` calls of `one` spread over `threads` threads; `one(thread_index)` returns success.
Run measure(int threads, int total, const std::function<bool(int)>& one, int warmup_per_thread) {
  std::atomic<int> failures{0};
  std::barrier start(threads + 1);
  std::barrier done(threads + 1);
  std::vector<std::thread> pool;
  const int per_thread = std::max(1, total / threads);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < warmup_per_thread; ++i) one(t);
      start.arrive_and_wait();
      for (int i = 0; i < per_thread; ++i)
        if (!one(t)) ++failures;
      done.arrive_and_wait();
    });
  }
  start.arrive_and_wait();
  const auto t0 = Clock::now();
  done.arrive_and_wait();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& th : pool) th.join();
  Run r;
  const int n = per_thread * threads;
  r.rps = n / secs;
  r.us_per_request = secs * 1e6 / per_thread;
  r.failures = failures;
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The HTTP request each provider sends for the benchmark prompt, for the bare libcurl loop.
struct RawRequest {
  std::string url;
  std::vector<std::string> headers;
  std::string body;
};

RawRequest raw_request(const std::string& provider, const std::string& base) {
  const std::string text = "hello benchmark world";
  if (provider == "anthropic")
    return {
        base + "/v1/messages",
        {"x-api-key: " + std::string(kKey), "anthropic-version: 2023-06-01",
         "Content-Type: application/json", "Expect:"},
        R"({"model":"claude-sonnet-4-20250514","max_tokens":64,"messages":[{"role":"user","content":")" +
            text + "\"}]}"};
  if (provider == "gemini")
    return {base + "/v1beta/models/gemini-2.5-flash:generateContent",
            {"x-goog-api-key: " + std::string(kKey), "Content-Type: application/json", "Expect:"},
            R"({"contents":[{"role":"user","parts":[{"text":")" + text +
                R"("}]}],"generationConfig":{"maxOutputTokens":64}})"};
  return {
      base + "/v1/chat/completions",
      {"Authorization: Bearer " + std::string(kKey), "Content-Type: application/json", "Expect:"},
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":")" + text +
          R"("}],"max_tokens":64})"};
}

// One easy handle per thread, reused (keeps its connection): the cheapest libcurl client.
class BareCurl {
 public:
  BareCurl(const RawRequest& req, int threads) : req_(req) {
    for (int i = 0; i < threads; ++i) {
      CURL* h = curl_easy_init();
      curl_slist* list = nullptr;
      for (const auto& x : req_.headers) list = curl_slist_append(list, x.c_str());
      lists_.push_back(list);
      curl_easy_setopt(h, CURLOPT_URL, req_.url.c_str());
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req_.body.c_str());
      curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(
          h, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* u) {
            static_cast<std::string*>(u)->append(p, s * n);
            return s * n;
          });
      handles_.push_back(h);
      bodies_.emplace_back();
    }
    for (int i = 0; i < threads; ++i) curl_easy_setopt(handles_[i], CURLOPT_WRITEDATA, &bodies_[i]);
  }
  ~BareCurl() {
    for (auto* h : handles_) curl_easy_cleanup(h);
    for (auto* l : lists_) curl_slist_free_all(l);
  }
  bool call(int t) {
    bodies_[t].clear();
    long status = 0;
    if (curl_easy_perform(handles_[t]) != CURLE_OK) return false;
    curl_easy_getinfo(handles_[t], CURLINFO_RESPONSE_CODE, &status);
    return status == 200;
  }

 private:
  RawRequest req_;
  std::vector<CURL*> handles_;
  std::vector<curl_slist*> lists_;
  std::vector<std::string> bodies_;
};

}  // namespace

int main(int argc, char** argv) {
  int repetitions = 3;
  bool quick = false;
  std::string only;
  int external_port = 0;
  int only_conc = 0;  // --concurrency N: one concurrency
  int only_latency =
      -1;  // --latency-ms N: one server latency  // use a pipeline-mock-server process instead
           // (latency 0 only)  // --only <provider>: one provider (for quick experiments)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    if (std::strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc)
      only_conc = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--latency-ms") == 0 && i + 1 < argc)
      only_latency = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--external-port") == 0 && i + 1 < argc)
      external_port = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--repetitions") == 0 && i + 1 < argc)
      repetitions = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
  }
  setenv(kKeyEnv, kKey, 1);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  MockLlmServer::Options o;
  o.anthropic_key = o.gemini_key = o.openai_key = kKey;
  o.threads = 200;
  o.record_requests = false;
  MockLlmServer server(o);
  server.start();
  const std::string base =
      external_port > 0 ? "http://127.0.0.1:" + std::to_string(external_port) : server.base_url();

  pipeline::PluginHost host;
  for (const char* name : {"anthropic", "gemini", "openai"}) {
    auto st = host.load_file(std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_" + name + ".so");
    if (!st.ok()) {
      std::cerr << st.message() << "\n";
      return 1;
    }
  }

  std::printf(
      "| provider | server latency | concurrency | limit req/s | bare libcurl req/s | "
      "provider req/s | provider / limit | per-request time bare | per-request time "
      "provider | overhead per request |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string provider : {"anthropic", "gemini", "openai"}) {
    if (!only.empty() && provider != only) continue;
    json::object cfg{{"base_url", provider == "openai" ? base + "/v1" : base},
                     {"api_key_env", kKeyEnv},
                     {"max_idle_connections", 128}};
    auto p = host.create_provider(provider, json::serialize(cfg));
    if (!p.ok()) {
      std::cerr << p.status().message() << "\n";
      return 1;
    }
    const std::string request =
        R"({"messages":[{"role":"user","content":"hello benchmark world"}],"max_tokens":64})";
    for (int latency : {0, 50}) {
      if (only_latency >= 0 && latency != only_latency) continue;
      server.set_latency_ms(latency);
      for (int conc : {1, 8, 64}) {
        if (only_conc > 0 && conc != only_conc) continue;
        const int total = latency == 0 ? (quick ? 500 : 3000) : conc * (quick ? 5 : 20);
        const int warmup = latency == 0 ? 20 : 1;
        std::vector<double> prov_rps, bare_rps, prov_us, bare_us;
        int failures = 0;
        for (int rep = 0; rep < repetitions; ++rep) {
          BareCurl bare(raw_request(provider, base), conc);
          Run b = measure(
              conc, total, [&](int t) { return bare.call(t); }, warmup);
          Run r = measure(
              conc, total,
              [&](int) {
                pipeline::CallContext ctx;
                return (*p)->complete(request, ctx).ok();
              },
              warmup);
          failures += b.failures + r.failures;
          prov_rps.push_back(r.rps);
          bare_rps.push_back(b.rps);
          prov_us.push_back(r.us_per_request);
          bare_us.push_back(b.us_per_request);
        }
        const double limit = latency == 0 ? 0 : conc * 1000.0 / latency;
        const double pr = median(prov_rps), br = median(bare_rps);
        const double pu = median(prov_us), bu = median(bare_us);
        char limit_s[32] = "n/a";
        char ratio_s[32] = "n/a";
        if (limit > 0) {
          std::snprintf(limit_s, sizeof limit_s, "%.0f", limit);
          std::snprintf(ratio_s, sizeof ratio_s, "%.1f%%", 100.0 * pr / limit);
        }
        std::printf(
            "| %s | %d ms | %d | %s | %.0f | %.0f | %s | %.0f µs | %.0f µs | %+.0f µs |%s\n",
            provider.c_str(), latency, conc, limit_s, br, pr, ratio_s, bu, pu, pu - bu,
            failures ? " FAILURES" : "");
        std::fflush(stdout);
      }
    }
  }
  server.stop();
  curl_global_cleanup();
  return 0;
}
