// pipeline-mock-server: the loopback mock LLM server as a process, for manual runs, examples and
// benchmarks. Prints the bound port as the first line of stdout, then serves until SIGINT/SIGTERM.
//
//   pipeline-mock-server --port 0 --latency-ms 50 [--reply TEXT] [--stats]
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "mock_llm_server/mock_llm_server.hpp"

int main(int argc, char** argv) {
  pipeline::testing::MockLlmServer::Options o;
  CLI::App app{"Loopback mock LLM server (Anthropic, Gemini, OpenAI wire formats)"};
  app.add_option("--host", o.host, "address to bind (loopback only in tests)");
  app.add_option("--port", o.port, "port to bind; 0 picks a free one");
  app.add_option("--latency-ms", o.latency_ms, "delay before every reply");
  app.add_option("--chunk-delay-ms", o.stream_chunk_delay_ms, "delay between SSE events");
  app.add_option("--fault", o.default_fault, "fault applied to every request (see header)");
  app.add_option("--anthropic-key", o.anthropic_key, "expected x-api-key");
  app.add_option("--gemini-key", o.gemini_key, "expected x-goog-api-key");
  app.add_option("--openai-key", o.openai_key, "expected bearer token; empty: none needed");
  app.add_option("--threads", o.threads, "server threads (one per keep-alive connection)");
  app.add_option("--reply", o.reply_text, "reply text for every request (default: an echo)");
  bool stats = false;
  app.add_flag("--stats", stats, "on exit, print requests and max in-flight to stderr");
  CLI11_PARSE(app, argc, argv);

  // Block the signals before any thread starts, so only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  pipeline::testing::MockLlmServer server(o);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << server.port() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop();
  // After stop(): every handler has returned, so the counts are final.
  if (stats)
    std::cerr << "requests " << server.request_count() << " max_in_flight "
              << server.max_in_flight() << std::endl;
  return 0;
}
