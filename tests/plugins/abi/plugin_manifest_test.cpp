// plugins.manifest.json: written for a folder, trusted only while fresh, and used to open just
// the libraries a run needs; anything it cannot answer falls back to scanning every library.
#include <pipeline/plugin.h>
#include <pipeline/plugins/plugin_host.hpp>
#include <pipeline/plugins/plugin_manifest.hpp>
#include <pipeline/plugins/plugin_needs.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

namespace pipeline {
namespace {

namespace fs = std::filesystem;

class PluginManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-manifest-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* p : {"mock", "core_steps", "cache_memory"}) {
      fs::copy_file(fs::path(PIPELINE_PLUGIN_DIR) / ("libpipeline_" + std::string(p) + ".so"),
                    dir_ / ("libpipeline_" + std::string(p) + ".so"));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Libraries loaded for `needs`, by file name.
  std::set<std::string> loaded_for(const PluginNeeds& needs) {
    PluginHost host;
    EXPECT_TRUE(host.load_directories({dir_}, {}, &needs).empty());
    std::set<std::string> out;
    for (const auto& lib : host.libraries()) out.insert(lib->info().file.filename().string());
    return out;
  }
  void make_newer(const fs::path& f) {
    fs::last_write_time(
        f, fs::last_write_time(dir_ / PluginManifest::kFileName) + std::chrono::seconds(5));
  }
  fs::path dir_;
  const std::set<std::string> all_ = {"libpipeline_cache_memory.so", "libpipeline_core_steps.so",
                                      "libpipeline_mock.so"};
};

TEST_F(PluginManifestTest, WrittenManifestListsEveryLibraryAndComponent) {
  ASSERT_TRUE(PluginManifest::write_for(dir_).ok());
  auto m = PluginManifest::read_fresh(dir_);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->entries.size(), 3u);
  bool mock_provider = false;
  for (const auto& e : m->entries) {
    for (const auto& c : e.components) {
      if (e.plugin == "mock" &&
          c == std::make_pair(uint32_t{PL_KIND_PROVIDER}, std::string("mock")))
        mock_provider = true;
    }
  }
  EXPECT_TRUE(mock_provider);
}

TEST_F(PluginManifestTest, RunOpensOnlyTheLibrariesOfTheComponentsItNeeds) {
  ASSERT_TRUE(PluginManifest::write_for(dir_).ok());
  PluginNeeds needs;
  needs.components = {{PL_KIND_PROVIDER, "mock"}, {PL_KIND_STEP, "set_variable"}};
  EXPECT_EQ(loaded_for(needs),
            (std::set<std::string>{"libpipeline_core_steps.so", "libpipeline_mock.so"}));
}

TEST_F(PluginManifestTest, ComponentInNoManifestFallsBackToScanningEverything) {
  ASSERT_TRUE(PluginManifest::write_for(dir_).ok());
  PluginNeeds needs;
  needs.components = {{PL_KIND_PROVIDER, "mock"}, {PL_KIND_STEP, "no_such_type"}};
  EXPECT_EQ(loaded_for(needs), all_);  // so "unknown step type" can list every known one
}

TEST_F(PluginManifestTest, LibraryNewerThanTheManifestMakesItStale) {
  ASSERT_TRUE(PluginManifest::write_for(dir_).ok());
  make_newer(dir_ / "libpipeline_mock.so");
  EXPECT_FALSE(PluginManifest::read_fresh(dir_));
  PluginNeeds needs;
  needs.components = {{PL_KIND_PROVIDER, "mock"}};
  EXPECT_EQ(loaded_for(needs), all_);
}

TEST_F(PluginManifestTest, UnlistedOrRemovedLibraryMakesItStale) {
  ASSERT_TRUE(PluginManifest::write_for(dir_).ok());
  fs::copy_file(fs::path(PIPELINE_TEST_PLUGIN_DIR) / "libpipeline_fixture_c.so",
                dir_ / "libpipeline_fixture_c.so");
  EXPECT_FALSE(PluginManifest::read_fresh(dir_));
  ASSERT_TRUE(PluginManifest::write_for(dir_).ok());
  EXPECT_TRUE(PluginManifest::read_fresh(dir_));
  fs::remove(dir_ / "libpipeline_fixture_c.so");
  EXPECT_FALSE(PluginManifest::read_fresh(dir_));
}

TEST_F(PluginManifestTest, MissingOrCorruptManifestScans) {
  PluginNeeds needs;
  needs.components = {{PL_KIND_PROVIDER, "mock"}};
  EXPECT_EQ(loaded_for(needs), all_);
  std::ofstream(dir_ / PluginManifest::kFileName) << "{not json";
  EXPECT_FALSE(PluginManifest::read_fresh(dir_));
  EXPECT_EQ(loaded_for(needs), all_);
}

}  // namespace
}  // namespace pipeline
