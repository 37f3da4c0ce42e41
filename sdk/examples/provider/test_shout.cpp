// test_shout.cpp — loads libpipeline_shout.so as the host would and checks one completion.
#include <pipeline/plugin_testing.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    pipeline::sdk::testing::TestHost host(argv[1]);
    auto shout = host.create(PL_KIND_PROVIDER, "shout", "{}");
    std::string reply = shout.complete(R"({"messages":[{"role":"user","content":"hi there"}]})");
    if (reply.find("\"text\":\"HI THERE\"") == std::string::npos) {
      std::cerr << "unexpected reply: " << reply << "\n";
      return 1;
    }
    if (shout.streamed() != "text_delta:HI THERE\n") {
      std::cerr << "unexpected stream: " << shout.streamed() << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << "shout: ok\n";
  return 0;
}
