// The plugin host against real shared libraries: a plain-C plugin, an older minor, a wrong major,
// and plugins that misbehave. Every failure must be an error that names the file, never a crash.
#include <pipeline/plugins/plugin_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path fixture(const std::string& name) {
  return fs::path(PIPELINE_TEST_PLUGIN_DIR) / ("libpipeline_" + name + ".so");
}
fs::path shipped(const std::string& name) {
  return fs::path(PIPELINE_PLUGIN_DIR) / ("libpipeline_" + name + ".so");
}

TEST(PluginLoading, PlainCPluginLoadsAndServesCompletions) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(fixture("fixture_c")).ok());
  auto provider = host.create_provider("c_echo", "{}");
  ASSERT_TRUE(provider) << provider.status().message();
  std::string streamed;
  CallContext ctx(CancellationToken{}, std::nullopt,
                  [&](std::string_view kind, std::string_view d) {
                    streamed += std::string(kind) + ":" + std::string(d);
                    return true;
                  });
  CallResult r = (*provider)->complete(R"({"messages":[]})", ctx);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_THAT(r.body, HasSubstr("C says: 15"));
  EXPECT_EQ(streamed, "text_delta:C says");
}

TEST(PluginLoading, CancelledContextReachesThePlugin) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(fixture("fixture_c")).ok());
  auto provider = host.create_provider("c_echo");
  ASSERT_TRUE(provider);
  CancellationToken token;
  token.cancel();
  CallContext ctx(token);
  EXPECT_EQ((*provider)->complete("{}", ctx).status, PL_CANCELLED);
}

TEST(PluginLoading, PluginFromOlderMinorWithSmallerStructsLoads) {
  PluginHost host;
  Status st = host.load_file(fixture("fixture_old_minor"));
  ASSERT_TRUE(st.ok()) << st.message();
  auto libs = host.libraries();
  ASSERT_EQ(libs.size(), 1u);
  EXPECT_EQ(libs[0]->info().name, "fixture_old_minor");
  EXPECT_EQ(libs[0]->info().description, "");  // beyond its struct: zero-filled, not garbage
  auto comp = host.find(PL_KIND_STEP, "old_step");
  ASSERT_TRUE(comp);
  EXPECT_LT(comp->declared_size(), sizeof(pl_step_vtable));
  EXPECT_EQ(comp->vtable<pl_step_vtable>().validate, nullptr);
  auto step = host.create_step("old_step");
  ASSERT_TRUE(step);
  EXPECT_EQ((*step)->validate("{}").body, "[]");  // absent member: treated as "nothing to say"
  CallContext ctx;
  CallResult r = (*step)->execute("{}", ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r.body, HasSubstr("old minor ok"));
}

TEST(PluginLoading, WrongMajorIsRefusedNamingTheFile) {
  PluginHost host;
  Status st = host.load_file(fixture("fixture_wrong_major"));
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr(fixture("fixture_wrong_major").string()));
  EXPECT_THAT(st.message(), HasSubstr("ABI 2.0"));
  EXPECT_TRUE(host.libraries().empty());
}

TEST(PluginLoading, MissingInitSymbolIsRefusedNamingTheFile) {
  PluginHost host;
  Status st = host.load_file(fixture("fixture_no_init"));
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("libpipeline_fixture_no_init.so"));
  EXPECT_THAT(st.message(), HasSubstr("pipeline_plugin_init_v1"));
}

TEST(PluginLoading, FailedInitIsRefusedWithItsReason) {
  PluginHost host;
  Status st = host.load_file(fixture("fixture_init_fails"));
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("license server unreachable"));
  EXPECT_THAT(st.message(), HasSubstr("libpipeline_fixture_init_fails.so"));
}

TEST(PluginLoading, NonexistentFileIsRefusedNamingIt) {
  PluginHost host;
  Status st = host.load_file("/nonexistent/libpipeline_ghost.so");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("/nonexistent/libpipeline_ghost.so"));
}

// ---- Why a library was refused (issue 13): the dynamic loader's own reason reaches the user ----

class HostileLibrary : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-hostile-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string refusal(const fs::path& file) {
    PluginHost host;
    Status st = host.load_file(file);
    EXPECT_FALSE(st.ok());
    EXPECT_THAT(st.message(), HasSubstr(file.string()));
    EXPECT_THAT(st.message(), Not(HasSubstr("Bad file descriptor")));
    return st.message();
  }
  fs::path dir_;
};

TEST_F(HostileLibrary, EmptyFileSaysItIsNotALibrary) {
  fs::path f = dir_ / "libpipeline_empty.so";
  std::ofstream(f).flush();
  EXPECT_THAT(refusal(f), HasSubstr("file too short"));
}

TEST_F(HostileLibrary, TextFileSaysInvalidElfHeader) {
  fs::path f = dir_ / "libpipeline_text.so";
  {
    std::ofstream out(f);
    for (int i = 0; i < 8; ++i) out << "this is a note, not a shared library\n";  // > ELF header
  }
  EXPECT_THAT(refusal(f), HasSubstr("invalid ELF header"));
}

TEST_F(HostileLibrary, FolderSaysItIsADirectory) {
  fs::path f = dir_ / "libpipeline_folder.so";
  fs::create_directories(f);
  EXPECT_THAT(refusal(f), HasSubstr("Is a directory"));
}

TEST_F(HostileLibrary, DanglingLinkSaysNoSuchFile) {
  fs::path f = dir_ / "libpipeline_dangling.so";
  fs::create_symlink(dir_ / "gone.so", f);
  EXPECT_THAT(refusal(f), HasSubstr("No such file or directory"));
}

TEST_F(HostileLibrary, MissingDependencyIsNamed) {
  std::string why =
      refusal(fs::path(PIPELINE_HOSTILE_PLUGIN_DIR) / "libpipeline_fixture_missing_dependency.so");
  EXPECT_THAT(why, HasSubstr("libfixture_vanished_dep.so"));
}

TEST_F(HostileLibrary, ExceptionFromInitKeepsItsWhat) {
  ::setenv("FIXTURE_THROW_IN_INIT", "1", 1);
  std::string why =
      refusal(fs::path(PIPELINE_HOSTILE_PLUGIN_DIR) / "libpipeline_fixture_throws.so");
  ::unsetenv("FIXTURE_THROW_IN_INIT");
  EXPECT_THAT(why, HasSubstr("cannot reach the license daemon"));
}

TEST_F(HostileLibrary, ExceptionFromCreateKeepsItsWhat) {
  PluginHost host;
  ASSERT_TRUE(
      host.load_file(fs::path(PIPELINE_HOSTILE_PLUGIN_DIR) / "libpipeline_fixture_throws.so").ok());
  auto p = host.create_provider("throws_in_create");
  ASSERT_FALSE(p);
  EXPECT_THAT(p.status().message(), HasSubstr("setting 'region' must be 'eu' or 'us'"));
  EXPECT_THAT(p.status().message(), Not(HasSubstr("no reason given")));
}

TEST_F(HostileLibrary, DirectoryScanReportsEachRefusalWithItsFile) {
  std::ofstream(dir_ / "libpipeline_text.so") << std::string(200, 'x');
  fs::copy_file(fixture("fixture_c"), dir_ / "libpipeline_fixture_c.so");
  PluginHost host;
  auto errors = host.load_directories({dir_});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, dir_ / "libpipeline_text.so");
  EXPECT_THAT(errors[0].message(), HasSubstr("invalid ELF header"));
  EXPECT_TRUE(host.find(PL_KIND_PROVIDER, "c_echo"));
}

TEST(PluginLoading, DuplicateComponentNameIsRefusedNamingBothFiles) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(shipped("mock")).ok());
  Status st = host.load_file(fixture("fixture_duplicate"));
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("provider 'mock'"));
  EXPECT_THAT(st.message(), HasSubstr("libpipeline_mock.so"));
  EXPECT_THAT(st.message(), HasSubstr("libpipeline_fixture_duplicate.so"));
  EXPECT_EQ(host.components(PL_KIND_PROVIDER).size(), 1u);
}

TEST(PluginLoading, SamePluginTwiceIsRefused) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(shipped("mock")).ok());
  Status st = host.load_file(shipped("mock"));
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
}

TEST(PluginLoading, ThrowingPluginGivesAnErrorNotACrash) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(fixture("fixture_misbehaving")).ok());
  auto step = host.create_step("throws");
  ASSERT_TRUE(step);
  CallContext ctx;
  CallResult r = (*step)->execute("{}", ctx);
  EXPECT_EQ(r.status, PL_INTERNAL);
  EXPECT_THAT(r.error, HasSubstr("boom from a careless plugin"));
  EXPECT_THAT(r.error, HasSubstr("fixture_misbehaving"));
}

TEST(PluginLoading, UnknownStatusBecomesInternalWithTheNumber) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(fixture("fixture_misbehaving")).ok());
  auto step = host.create_step("bad_status");
  ASSERT_TRUE(step);
  CallContext ctx;
  CallResult r = (*step)->execute("{}", ctx);
  EXPECT_EQ(r.status, PL_INTERNAL);
  EXPECT_THAT(r.error, HasSubstr("unknown status 999"));
}

TEST(PluginLoading, RefusedConfigReportsThePluginsReason) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(fixture("fixture_misbehaving")).ok());
  auto step = host.create_step("refuses_config", "{}");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(step.status().message(), HasSubstr("needs setting 'flavour'"));
}

TEST(PluginLoading, UnknownComponentListsTheKnownOnes) {
  PluginHost host;
  ASSERT_TRUE(host.load_file(shipped("mock")).ok());
  auto p = host.create_provider("antropic");
  ASSERT_FALSE(p);
  EXPECT_THAT(p.status().message(), HasSubstr("known: mock"));
}

TEST(PluginLoading, LibraryStaysLoadedWhileAnInstanceLives) {
  std::weak_ptr<PluginLibrary> lib;
  std::shared_ptr<ProviderInstance> provider;
  {
    PluginHost host;
    ASSERT_TRUE(host.load_file(fixture("fixture_c")).ok());
    lib = host.libraries().at(0);
    auto p = host.create_provider("c_echo");
    ASSERT_TRUE(p);
    provider = *p;
  }
  ASSERT_FALSE(lib.expired());
  CallContext ctx;
  // The plugin logs through its host table during the call: that table must still be alive.
  EXPECT_TRUE(provider->complete("{}", ctx).ok());
  provider.reset();
  EXPECT_TRUE(lib.expired());
}

TEST(PluginLoading, DirectoryScanLoadsShippedPluginsAndSkipsMissingFolders) {
  PluginHost host;
  auto errors = host.load_directories({"/nonexistent-folder", PIPELINE_PLUGIN_DIR});
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(host.find(PL_KIND_PROVIDER, "mock"));
  EXPECT_TRUE(host.find(PL_KIND_STEP, "claude"));
  EXPECT_TRUE(host.find(PL_KIND_STEP, "set_variable"));
}

TEST(PluginLoading, AllowlistLoadsOnlyTheNamedPlugins) {
  PluginHost host;
  auto errors = host.load_directories({PIPELINE_PLUGIN_DIR}, {"mock"});
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(host.find(PL_KIND_PROVIDER, "mock"));
  EXPECT_FALSE(host.find(PL_KIND_STEP, "claude"));
}

TEST(PluginLoading, MissingServiceIsNullNotACrash) {
  PluginHost host;
  EXPECT_EQ(host.service("pipeline.nonexistent", 1), nullptr);
  pl_service_header svc{sizeof(pl_service_header), 1, nullptr};
  host.register_service("pipeline.test", &svc);
  EXPECT_EQ(host.service("pipeline.test", 1), &svc);
  EXPECT_EQ(host.service("pipeline.test", 2), nullptr);  // newer version than offered
}

}  // namespace
}  // namespace pipeline
