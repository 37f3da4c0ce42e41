// test_word_count.cpp — the step counts words, and with `ask` calls the (scripted) host service.
#include <pipeline/plugin_testing.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    pipeline::sdk::testing::TestHost host(argv[1]);
    host.on_complete([](std::string_view) { return std::string(R"({"text":"scripted"})"); });
    auto step = host.create(PL_KIND_STEP, "word_count");
    std::string out = step.execute(R"({"step": {"ask": true}, "prompt_text": "one two  three"})");
    if (out != R"({"output":{"words":3,"reply":"scripted"}})") {
      std::cerr << "unexpected output: " << out << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << "word_count: ok\n";
  return 0;
}
