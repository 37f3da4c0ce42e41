// test_memo_cache.cpp — put, get, evict, erase by prefix, and a refused config.
#include <pipeline/plugin_testing.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    pipeline::sdk::testing::TestHost host(argv[1]);
    auto cache = host.create(PL_KIND_CACHE, "memo", R"({"max_entries": 2})");
    cache.put("a:1", "one");
    cache.put("a:2", "two");
    cache.put("b:3", "three");  // evicts a:1, the oldest
    bool ok = !cache.get("a:1") && cache.get("a:2") == "two" && cache.get("b:3") == "three";
    cache.erase("b:3");
    ok = ok && !cache.get("b:3");
    try {
      host.create(PL_KIND_CACHE, "memo", R"({"max_entries": 0})");
      ok = false;
    } catch (const pipeline::sdk::testing::TestError& e) {
      ok = ok && std::string(e.what()).find("positive integer") != std::string::npos;
    }
    if (!ok) {
      std::cerr << "memo_cache misbehaved\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << "memo_cache: ok\n";
  return 0;
}
