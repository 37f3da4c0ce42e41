// Shipped plugins export only their entry points: the linker version script and hidden
// visibility keep everything else (their C++ runtime, Boost, helpers) private to them.
#include "process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace {

namespace fs = std::filesystem;

TEST(PluginExports, ShippedPluginsExportOnlyTheirEntryPoints) {
  int checked = 0;
  for (const auto& e : fs::directory_iterator(PIPELINE_PLUGIN_DIR)) {
    std::string name = e.path().filename().string();
    if (name.rfind("libpipeline_", 0) != 0 || e.path().extension() != ".so") continue;
    auto r =
        pipeline::testing::run_process({"/usr/bin/nm", "-D", "--defined-only", e.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      std::string symbol = line.substr(line.rfind(' ') + 1);
      EXPECT_TRUE(symbol == "pipeline_plugin_query_v1" || symbol == "pipeline_plugin_init_v1" ||
                  symbol == "pipeline_plugin_shutdown_v1")
          << name << " exports " << symbol;
    }
    EXPECT_NE(r.out.find("pipeline_plugin_query_v1"), std::string::npos) << name;
    EXPECT_NE(r.out.find("pipeline_plugin_init_v1"), std::string::npos) << name;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
