// The built labeled_few_shot, bootstrap_few_shot and bootstrap_random_search libraries loaded
// through the real PluginHost: each registers its optimizer, and driven through the C ABI with a
// scripted pipeline.program service it sends the requests its algorithm needs, returns a
// candidate document, keeps its best on an exhausted budget and refuses unknown parameters
// before any call. The five optimizers share one glue (optimizer_common/search_optimizer.hpp).
#include "../instruction_optimizers/scripted_program_service.hpp"
#include "../instruction_optimizers/scripted_search_host.hpp"

#include <pipeline/plugins/call_context.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedProgramService;
using testing::ScriptedSearchHost;
using testing::task_json;
using testing::ticket_task;

namespace bj = boost::json;

class DemoPlugins : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"libpipeline_optimizer_labeled_few_shot.so",
                          "libpipeline_optimizer_bootstrap_few_shot.so",
                          "libpipeline_optimizer_bootstrap_random_search.so"})
      ASSERT_TRUE(plugins.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) / f).ok()) << f;
  }
  CallResult optimize(const std::string& name, ScriptedProgramService& svc,
                      const bj::object& task) {
    plugins.register_service(PL_SERVICE_PROGRAM, &svc.svc.header);
    auto inst = plugins.create_optimizer(name, "{}");
    EXPECT_TRUE(inst.ok()) << name;
    CallContext ctx;
    CallResult r = (*inst)->optimize(bj::serialize(task), ctx);
    plugins.unregister_service(PL_SERVICE_PROGRAM);
    return r;
  }
  static std::size_t augmented(const bj::object& best) {
    std::size_t n = 0;
    for (const auto& d : best.at("demos").as_array()) n += d.as_object().contains("augmented");
    return n;
  }
  PluginHost plugins;
};

TEST_F(DemoPlugins, EachLibraryRegistersItsOptimizer) {
  for (const char* name : {"labeled_few_shot", "bootstrap_few_shot", "bootstrap_random_search"})
    EXPECT_NE(plugins.find(PL_KIND_OPTIMIZER, name), nullptr) << name;
  // The instruction optimizers use the same glue and still register.
  for (const char* f : {"libpipeline_optimizer_mipro_v2.so", "libpipeline_optimizer_gepa.so"})
    ASSERT_TRUE(plugins.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) / f).ok()) << f;
  const auto names = plugins.names(PL_KIND_OPTIMIZER);
  for (const char* name :
       {"labeled_few_shot", "bootstrap_few_shot", "bootstrap_random_search", "mipro_v2", "gepa"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
}

TEST_F(DemoPlugins, LabeledFewShotReturnsLabelledDemosWithoutACall) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  ScriptedProgramService svc(host);
  CallResult r = optimize("labeled_few_shot", svc, task_json(task, {{"k", 5}}));
  ASSERT_TRUE(r.ok()) << r.error;
  bj::object best = bj::parse(r.body).as_object();
  EXPECT_EQ(best.at("instructions").as_string(), "Classify the ticket.");
  EXPECT_EQ(best.at("demos").as_array().size(), 5u);
  EXPECT_EQ(augmented(best), 0u);
  EXPECT_EQ(host.lm_calls, 0u);
}

TEST_F(DemoPlugins, BootstrapFewShotRunsScoredExamplesThroughTheService) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  // The teacher passes from the second round on only: the rollout reaches the service.
  host.score = [&](const Candidate&, const std::string&, std::size_t) {
    return host.running.rollout_id == 1 ? 1.0 : 0.0;
  };
  ScriptedProgramService svc(host);
  CallResult r = optimize("bootstrap_few_shot", svc, task_json(task, {{"max_rounds", 2}}));
  ASSERT_TRUE(r.ok()) << r.error;
  bj::object best = bj::parse(r.body).as_object();
  EXPECT_EQ(augmented(best), 4u);
  EXPECT_EQ(best.at("demos").as_array().size(), 16u);
  std::size_t runs = 0, hot = 0;
  for (const auto& q : svc.requests) {
    if (!q.contains("example")) continue;
    ++runs;
    EXPECT_TRUE(q.at("score").as_bool());
    EXPECT_EQ(q.at("example").at("set").as_string(), "train");
    hot += q.contains("temperature") && q.at("temperature").to_number<double>() == 1.0 &&
           q.at("rollout_id").to_number<std::int64_t>() == 1;
  }
  EXPECT_EQ(runs, 8u);
  EXPECT_EQ(hot, 4u);
}

TEST_F(DemoPlugins, RandomSearchKeepsItsBestOnAnExhaustedBudget) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = [](const Candidate& c, const std::string& set, std::size_t i) {
    return set == "train" || (i < 10 && !c.demos.empty()) ? 1.0 : 0.0;
  };
  host.max_lm_calls = 50;  // -3 and -2 scored, the budget runs out in seed -1's evaluation
  ScriptedProgramService svc(host);
  CallResult r = optimize("bootstrap_random_search", svc, task_json(task, {}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_LE(host.lm_calls, 50u);
  bj::object best = bj::parse(r.body).as_object();
  EXPECT_EQ(best.at("demos").as_array().size(), 16u);  // seed -2, labelled only, scored 0.5
  EXPECT_EQ(augmented(best), 0u);
  std::size_t evaluations = 0;
  for (const auto& q : svc.requests) evaluations += q.contains("set");
  EXPECT_EQ(evaluations, 3u);
}

TEST_F(DemoPlugins, ACancelThroughTheServiceReturnsTheBestSoFarWithOk) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.cancel_after = 30;  // the progress channel and the calls answer PL_CANCELLED from here
  ScriptedProgramService svc(host);
  CallResult r = optimize("bootstrap_random_search", svc, task_json(task, {}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(host.lm_calls, 30u);
  // Seed -3 was scored (20 calls); seed -2's evaluation was cut: the zero-shot program wins.
  EXPECT_TRUE(bj::parse(r.body).at("demos").as_array().empty());
  ScriptedSearchHost boot(task);
  boot.cancel_after = 2;
  ScriptedProgramService boot_svc(boot);
  r = optimize("bootstrap_few_shot", boot_svc, task_json(task, {}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(augmented(bj::parse(r.body).as_object()), 2u);
}

TEST_F(DemoPlugins, UnknownParametersAreAClearErrorBeforeAnyCall) {
  Task task = ticket_task(10, 10);
  ScriptedSearchHost host(task);
  ScriptedProgramService svc(host);
  for (const char* name : {"labeled_few_shot", "bootstrap_few_shot", "bootstrap_random_search"}) {
    CallResult r = optimize(name, svc, task_json(task, {{"max_demos", 3}}));
    EXPECT_EQ(r.status, PL_INVALID_ARGUMENT) << name;
    EXPECT_NE(r.error.find(std::string(name) + ": unknown parameter 'max_demos'"),
              std::string::npos)
        << r.error;
  }
  EXPECT_TRUE(svc.requests.empty());
  EXPECT_EQ(host.lm_calls, 0u);
}

}  // namespace
}  // namespace pipeline::optimizer
