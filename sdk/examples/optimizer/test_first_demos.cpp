// test_first_demos.cpp — k = 1 keeps the first training example.
#include <pipeline/plugin_testing.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    pipeline::sdk::testing::TestHost host(argv[1]);
    auto opt = host.create(PL_KIND_OPTIMIZER, "first_demos");
    std::string program = opt.optimize(
        R"({"signature": "question -> answer", "params": {"k": 1},
            "trainset": [{"question": "2+2", "answer": "4"}, {"question": "3+3", "answer": "6"}]})");
    if (program !=
        R"({"predict":{"demos":[{"question":"2+2","answer":"4"}],"signature":"question -> answer"}})") {
      std::cerr << "unexpected program: " << program << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << "first_demos: ok\n";
  return 0;
}
