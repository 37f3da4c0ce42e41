// The mock LLM server itself: the standalone executable prints its port and serves; every API
// answers a missing key with 401 and bad JSON with 400, each in that provider's error body.
#include <gtest/gtest.h>

#include <curl/curl.h>
#include <boost/json.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "mock_llm_server/mock_llm_server.hpp"

extern char** environ;

namespace pipeline::testing {
namespace {

namespace json = boost::json;

struct Reply {
  long status = 0;
  std::string body;
};

// A plain libcurl POST, independent of the plugins under test.
Reply post(const std::string& url, const std::vector<std::string>& headers,
           const std::string& body) {
  Reply r;
  CURL* h = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& x : headers) list = curl_slist_append(list, x.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* u) {
        static_cast<std::string*>(u)->append(p, s * n);
        return s * n;
      });
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return r;
}

struct Endpoint {
  std::string path;
  std::string good_body;
};

Endpoint endpoint(const std::string& api) {
  if (api == "anthropic")
    return {"/v1/messages",
            R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})"};
  if (api == "gemini")
    return {"/v1beta/models/gemini-2.5-flash:generateContent",
            R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})"};
  return {"/v1/chat/completions", R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"};
}

// Checks that `body` is the provider's own error document.
void expect_error_shape(const std::string& api, const std::string& body) {
  json::value v = json::parse(body);
  if (api == "anthropic") {
    EXPECT_EQ(v.at("type"), "error");
    EXPECT_TRUE(v.at("error").at("type").is_string());
  } else if (api == "gemini") {
    EXPECT_TRUE(v.at("error").at("status").is_string());
    EXPECT_TRUE(v.at("error").at("code").is_int64());
  } else {
    EXPECT_TRUE(v.at("error").at("message").is_string());
    EXPECT_TRUE(v.at("error").as_object().contains("code"));
  }
}

class MockServerApiTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MockServerApiTest, MissingKeyIs401AndBadJsonIs400InTheProvidersOwnBody) {
  MockLlmServer::Options o;
  o.openai_key = "mock-openai-key";
  MockLlmServer server(o);
  server.start();
  const std::string api = GetParam();
  Endpoint e = endpoint(api);
  std::string url = server.base_url() + e.path;
  std::vector<std::string> json_ct = {"Content-Type: application/json",
                                      "anthropic-version: 2023-06-01"};

  Reply no_key = post(url, json_ct, e.good_body);
  EXPECT_EQ(no_key.status, 401);
  expect_error_shape(api, no_key.body);

  std::vector<std::string> keyed = json_ct;
  keyed.push_back(api == "anthropic" ? "x-api-key: mock-anthropic-key"
                  : api == "gemini"  ? "x-goog-api-key: mock-gemini-key"
                                     : "Authorization: Bearer mock-openai-key");
  Reply bad_json = post(url, keyed, "{\"model\": ");
  EXPECT_EQ(bad_json.status, 400);
  expect_error_shape(api, bad_json.body);

  Reply bad_shape = post(url, keyed, "{}");
  EXPECT_EQ(bad_shape.status, 400);
  expect_error_shape(api, bad_shape.body);

  Reply good = post(url, keyed, e.good_body);
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_NE(good.body.find("echo: hi"), std::string::npos);
  EXPECT_EQ(server.request_count(api), 4u);
}

INSTANTIATE_TEST_SUITE_P(Apis, MockServerApiTest,
                         ::testing::Values("anthropic", "gemini", "openai"));

TEST(MockServer, AnswersEveryRequestWithTheConfiguredReplyText) {
  MockLlmServer::Options o;
  o.reply_text = "[[ ## answer ## ]]\nitem\n\n[[ ## completed ## ]]";
  MockLlmServer server(o);
  server.start();
  Reply r = post(server.base_url() + "/v1/chat/completions", {"Content-Type: application/json"},
                 endpoint("openai").good_body);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = json::parse(r.body);
  // The words are sent as they are split (each keeps its leading space), so the text is whole.
  EXPECT_EQ(v.at("choices").at(0).at("message").at("content").as_string(), o.reply_text);
}

TEST(MockServer, CountsTheMostRequestsInFlightAtOnce) {
  MockLlmServer::Options o;
  o.latency_ms = 1000;
  MockLlmServer server(o);
  server.start();
  EXPECT_EQ(server.max_in_flight(), 0u);
  // Three clients whose requests overlap inside the 1 s latency, then one alone.
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&] {
      post(server.base_url() + "/v1/chat/completions", {"Content-Type: application/json"},
           endpoint("openai").good_body);
    });
  for (auto& c : clients) c.join();
  post(server.base_url() + "/v1/chat/completions", {"Content-Type: application/json"},
       endpoint("openai").good_body);
  EXPECT_EQ(server.request_count(), 4u);
  EXPECT_EQ(server.max_in_flight(), 3u);
}

TEST(MockServerExecutable, PrintsTheBoundPortAndServes) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string exe = PIPELINE_MOCK_SERVER_EXE;
  std::vector<char*> argv = {exe.data(),
                             const_cast<char*>("--port"),
                             const_cast<char*>("0"),
                             const_cast<char*>("--latency-ms"),
                             const_cast<char*>("5"),
                             nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[64] = {0};
  ASSERT_NE(fgets(line, sizeof line, f), nullptr);
  int port = std::atoi(line);
  EXPECT_GT(port, 0);
  Reply r = post("http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions",
                 {"Content-Type: application/json"}, endpoint("openai").good_body);
  EXPECT_EQ(r.status, 200) << r.body;
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  fclose(f);
}

}  // namespace
}  // namespace pipeline::testing
