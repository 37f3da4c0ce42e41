// The built mipro_v2 and gepa libraries loaded through the real PluginHost and driven through the
// C ABI: a pl_program_service_v1 registered by the test answers from a scripted model, so the
// plugins' JSON requests, the statuses of a spent budget and their result documents are checked
// end to end at the boundary.
#include "scripted_program_service.hpp"
#include "scripted_search_host.hpp"

#include <pipeline/plugins/call_context.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

namespace bj = boost::json;

using TestService = testing::ScriptedProgramService;
using testing::task_json;

class SearchPlugins : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"libpipeline_optimizer_mipro_v2.so", "libpipeline_optimizer_gepa.so"})
      ASSERT_TRUE(plugins.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) / f).ok()) << f;
  }
  CallResult optimize(const std::string& name, TestService& svc, const bj::object& task) {
    plugins.register_service(PL_SERVICE_PROGRAM, &svc.svc.header);
    auto inst = plugins.create_optimizer(name, "{}");
    EXPECT_TRUE(inst.ok());
    CallContext ctx;
    CallResult r = (*inst)->optimize(bj::serialize(task), ctx);
    plugins.unregister_service(PL_SERVICE_PROGRAM);
    return r;
  }
  PluginHost plugins;
};

TEST_F(SearchPlugins, MiproV2ReturnsTheBestCandidateThroughTheAbi) {
  Task task = ticket_task(40, 120);
  ScriptedSearchHost host(task);
  host.score = [](const Candidate& c, const std::string&, std::size_t i) {
    return c.instructions == "Proposed instruction 2" || i % 3 == 0 ? 1.0 : 0.0;
  };
  TestService svc(host);
  CallResult r = optimize("mipro_v2", svc, task_json(task, {}));
  ASSERT_TRUE(r.ok()) << r.error;
  bj::object best = bj::parse(r.body).as_object();
  EXPECT_EQ(best.at("instructions").as_string(), "Proposed instruction 2");
  EXPECT_TRUE(best.at("demos").is_array());
  bool string_signature = false;
  for (const auto& q : svc.requests)
    string_signature = string_signature || (q.contains("signature") && q.contains("inputs"));
  EXPECT_TRUE(string_signature);
}

TEST_F(SearchPlugins, GepaStopsOnAnExhaustedBudgetWithTheBestSoFar) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = [](const Candidate& c, const std::string&, std::size_t i) {
    return c.instructions != "Classify the ticket." || i % 4 == 0 ? 1.0 : 0.0;
  };
  host.max_lm_calls = 70;  // the host's budget, below GEPA's own max_metric_calls
  TestService svc(host);
  CallResult r = optimize("gepa", svc, task_json(task, {{"max_metric_calls", 500}}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_LE(host.lm_calls, 70u);
  EXPECT_EQ(bj::parse(r.body).at("instructions").as_string(), "Reflected instruction 1");
  bool raw_messages = false;
  for (const auto& q : svc.requests) raw_messages = raw_messages || q.contains("messages");
  EXPECT_TRUE(raw_messages);
}

TEST_F(SearchPlugins, BadParametersAreAClearError) {
  Task task = ticket_task(10, 10);
  ScriptedSearchHost host(task);
  TestService svc(host);
  CallResult r = optimize("gepa", svc, task_json(task, {{"max_metric_call", 5}}));
  EXPECT_EQ(r.status, PL_INVALID_ARGUMENT);
  EXPECT_NE(r.error.find("unknown parameter 'max_metric_call'"), std::string::npos) << r.error;
  r = optimize("mipro_v2", svc, task_json(task, {{"auto", "light"}, {"num_trials", 3}}));
  EXPECT_EQ(r.status, PL_INVALID_ARGUMENT);
  EXPECT_NE(r.error.find("auto"), std::string::npos) << r.error;
  EXPECT_EQ(host.lm_calls, 0u);
}

}  // namespace
}  // namespace pipeline::optimizer
