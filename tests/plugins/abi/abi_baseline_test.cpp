// The plugin ABI against its checked-in baseline (abi_baseline.txt, written by abi_dump): any
// incompatible change to plugin.h fails here. Compatible means: the same major, every baseline
// member at the same offset, every baseline symbol and service id still there, and structs that
// grew (members appended) only with a higher PL_ABI_MINOR. A new major starts a new baseline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Abi {
  int major = -1, minor = -1;
  std::map<std::string, unsigned long> sizes, offsets;
  std::set<std::string> names;  // "symbol X", "service Y"
};

Abi parse(const std::string& text) {
  Abi abi;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string what, name, unit;
    unsigned long value = 0;
    f >> what >> name;
    if (what == "abi") {
      std::sscanf(name.c_str(), "%d.%d", &abi.major, &abi.minor);
    } else if (what == "struct" && f >> unit >> value) {
      abi.sizes[name] = value;
    } else if (what == "member" && f >> unit >> value) {
      abi.offsets[name] = value;
    } else if (what == "symbol" || what == "service") {
      abi.names.insert(what + " " + name);
    }
  }
  return abi;
}

// Every incompatibility of `now` with `base`, one message each.
std::vector<std::string> incompatibilities(const Abi& base, const Abi& now) {
  std::vector<std::string> out;
  if (now.major != base.major) {
    out.push_back("ABI major " + std::to_string(now.major) + " != baseline " +
                  std::to_string(base.major) + ": a new major needs a new baseline");
    return out;
  }
  if (now.minor < base.minor) out.push_back("ABI minor went down");
  for (const auto& n : base.names) {
    if (!now.names.count(n)) out.push_back(n + " is gone");
  }
  for (const auto& [m, off] : base.offsets) {
    auto it = now.offsets.find(m);
    if (it == now.offsets.end()) {
      out.push_back("member " + m + " is gone");
    } else if (it->second != off) {
      out.push_back("member " + m + " moved from offset " + std::to_string(off) + " to " +
                    std::to_string(it->second));
    }
  }
  for (const auto& [s, size] : base.sizes) {
    auto it = now.sizes.find(s);
    if (it == now.sizes.end()) {
      out.push_back("struct " + s + " is gone");
    } else if (it->second < size) {
      out.push_back("struct " + s + " shrank from " + std::to_string(size) + " to " +
                    std::to_string(it->second) + " bytes");
    } else if (it->second > size && now.minor <= base.minor) {
      out.push_back("struct " + s + " grew from " + std::to_string(size) + " to " +
                    std::to_string(it->second) +
                    " bytes without a PL_ABI_MINOR bump (then update abi_baseline.txt)");
    }
  }
  return out;
}

std::string run(const char* command) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(command, "r"), &pclose);
  std::string out;
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p.get())) out += buf;
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AbiBaseline, PluginHeaderIsCompatibleWithTheCheckedInBaseline) {
  if (sizeof(void*) != 8) GTEST_SKIP() << "abi_baseline.txt records the LP64 layout";
  Abi base = parse(slurp(PIPELINE_SOURCE_DIR "/tests/plugins/abi/abi_baseline.txt"));
  ASSERT_EQ(base.major, 1);
  ASSERT_GT(base.offsets.size(), 50u);
  Abi now = parse(run(ABI_DUMP));
  ASSERT_FALSE(now.sizes.empty()) << "abi_dump printed nothing";
  EXPECT_THAT(incompatibilities(base, now), ::testing::IsEmpty());
}

const char* kBase =
    "abi 1.0\nsymbol pipeline_plugin_init_v1\nstruct s size 16\n"
    "member s.a offset 0\nmember s.b offset 8\n";

TEST(AbiBaseline, MovedMemberIsIncompatible) {
  auto problems = incompatibilities(
      parse(kBase), parse("abi 1.0\nsymbol pipeline_plugin_init_v1\nstruct s size 16\n"
                          "member s.b offset 0\nmember s.a offset 8\n"));
  EXPECT_THAT(problems, ::testing::Contains(::testing::HasSubstr("member s.a moved")));
}

TEST(AbiBaseline, AppendedMemberNeedsAMinorBump) {
  const char* grown =
      "symbol pipeline_plugin_init_v1\nstruct s size 24\n"
      "member s.a offset 0\nmember s.b offset 8\nmember s.c offset 16\n";
  EXPECT_THAT(incompatibilities(parse(kBase), parse(std::string("abi 1.0\n") + grown)),
              ::testing::Contains(::testing::HasSubstr("without a PL_ABI_MINOR bump")));
  EXPECT_THAT(incompatibilities(parse(kBase), parse(std::string("abi 1.1\n") + grown)),
              ::testing::IsEmpty());
}

TEST(AbiBaseline, RemovedSymbolOrMemberIsIncompatible) {
  auto problems =
      incompatibilities(parse(kBase), parse("abi 1.1\nstruct s size 16\nmember s.a offset 0\n"));
  EXPECT_THAT(problems,
              ::testing::Contains(::testing::HasSubstr("symbol pipeline_plugin_init_v1 is gone")));
  EXPECT_THAT(problems, ::testing::Contains(::testing::HasSubstr("member s.b is gone")));
}

}  // namespace
