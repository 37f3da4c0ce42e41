// test_jsonl_sink.cpp — two records become two lines of the configured file.
#include <pipeline/plugin_testing.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  std::remove(argv[2]);
  try {
    pipeline::sdk::testing::TestHost host(argv[1]);
    auto sink =
        host.create(PL_KIND_METRICS_SINK, "example_jsonl", std::string(R"({"path": ")") + argv[2] + "\"}");
    sink.record(R"({"step":"a","ok":true})");
    sink.record(R"({"step":"b","ok":false})");
    sink.flush();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::ifstream in(argv[2]);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str() != "{\"step\":\"a\",\"ok\":true}\n{\"step\":\"b\",\"ok\":false}\n") {
    std::cerr << "unexpected file: " << text.str() << "\n";
    return 1;
  }
  std::cout << "jsonl_sink: ok\n";
  return 0;
}
