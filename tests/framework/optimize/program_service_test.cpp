// The pipeline.program service with optimizer plugins loaded through the real plugin host: the
// fixture optimizers of tests/plugins/fixtures/optimizers_plugin.cpp.
#include "cache_support.hpp"
#include "fake_lm.hpp"
#include "session_support.hpp"

#include <pipeline/optimize/optimization_session.hpp>
#include <pipeline/optimize/program_service.hpp>
#include <pipeline/plugin.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

class ProgramServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status st =
        mc_.host.load_file(std::filesystem::path(PIPELINE_BINARY_DIR) / "tests/plugins/optimizers" /
                           "libpipeline_fixture_optimizers.so");
    ASSERT_TRUE(st.ok()) << st.to_string();
    mc_.host.register_service(PL_SERVICE_PROGRAM, svc_.service());
  }
  void TearDown() override { mc_.host.unregister_service(PL_SERVICE_PROGRAM); }

  std::unique_ptr<OptimizationSession> session(const std::string& optimizer,
                                               OptimizationSpec spec = testing::ticket_spec()) {
    spec.optimizer = optimizer;
    auto s = OptimizationSession::create(std::move(spec), lm_, mc_.cache);
    EXPECT_TRUE(s) << s.status().to_string();
    return std::move(*s);
  }
  Result<OptimizationOutcome> optimize(OptimizationSession& s) {
    auto inst = mc_.host.create_optimizer(s.spec().optimizer);
    EXPECT_TRUE(inst) << inst.status().to_string();
    return s.optimize(**inst, svc_);
  }

  testing::MemoryCache mc_;
  testing::FakeLm lm_;
  ProgramService svc_;
};

TEST_F(ProgramServiceTest, AGarbageResultIsAnErrorNamingTheOptimizerPlugin) {
  auto s = session("fixture_garbage");
  auto r = optimize(*s);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.status().message(),
              HasSubstr("optimizer plugin 'fixture_garbage' returned text that is not JSON"));
  auto w = session("fixture_wrong_shape");
  auto rw = optimize(*w);
  ASSERT_FALSE(rw);
  EXPECT_THAT(rw.status().message(), HasSubstr("optimizer plugin 'fixture_wrong_shape' returned a "
                                               "candidate whose \"demos\" is not an array"));
}

TEST_F(ProgramServiceTest, AFailingOptimizerIsAnErrorWithItsOwnMessage) {
  auto s = session("fixture_failing");
  auto r = optimize(*s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr("optimizer plugin 'fixture_failing' failed: UNAVAILABLE: the search exploded"));
}

TEST_F(ProgramServiceTest, ASpenderStopsExactlyAtTheCallBudgetAndItsResultIsKept) {
  auto spec = testing::ticket_spec();
  spec.budget.max_lm_calls = 12;
  auto s = session("fixture_spender", spec);
  auto r = optimize(*s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(lm_.provider_calls.load(), 12);
  EXPECT_EQ(r->lm_calls, 12);
  EXPECT_EQ(r->stopped, "budget");
  // 3 calls scored the start on val, 9 runs fit in the rest of the budget.
  EXPECT_EQ(get_string(r->best, "instructions"), "spent 9 runs");
  EXPECT_EQ(r->program.predictors().at(0).instructions, "spent 9 runs");
  ASSERT_FALSE(r->candidates.empty());
  EXPECT_EQ(r->candidates[0].label, "start");
  // Final scores need calls the budget no longer has: reported as unknown, not made up.
  EXPECT_FALSE(r->train_score);
  EXPECT_FALSE(r->val_score);
}

TEST_F(ProgramServiceTest, ACancelStopsTheSearchAndTheBestSoFarIsKept) {
  lm_.wait_ms = 2;
  auto s = session("fixture_spender");
  std::thread canceller([&] {
    while (lm_.provider_calls.load() < 20)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s->cancel();
  });
  auto r = optimize(*s);
  canceller.join();
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->stopped, "cancelled");
  EXPECT_THAT(get_string(r->best, "instructions"), HasSubstr("spent "));
  // A cancelled optimization is not stored: the next identical one runs again.
  EXPECT_FALSE(session("fixture_spender")->cached());
}

TEST_F(ProgramServiceTest, AQuitterWithoutAResultGetsItsBestRecordedCandidate) {
  auto spec = testing::ticket_spec();
  spec.budget.max_lm_calls = 6;
  auto s = session("fixture_quitter", spec);
  auto r = optimize(*s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(get_string(r->best, "instructions"), "Classify the ticket.");
  ASSERT_TRUE(r->val_score);  // recorded by the quitter's full evaluation
  EXPECT_NEAR(*r->val_score, 2.0 / 3.0, 1e-9);
}

TEST_F(ProgramServiceTest, AProgramResultIsScoredStoredAndARerunIsAnsweredWithNoLmCalls) {
  auto s = session("fixture_program");
  auto r = optimize(*s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(get_string(r->best, "instructions"), "from a program");
  EXPECT_EQ(r->best.at("demos").as_array().size(), 1u);
  ASSERT_TRUE(r->train_score);
  ASSERT_TRUE(r->val_score);
  EXPECT_EQ(*r->train_score, 0.75);
  int calls = lm_.provider_calls.load();
  EXPECT_EQ(r->lm_calls, calls);

  auto again = session("fixture_program");
  auto hit = again->cached();
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->from_cache);
  EXPECT_EQ(hit->lm_calls, 0);
  EXPECT_EQ(hit->train_score.value_or(-1), r->train_score.value_or(-2));
  EXPECT_EQ(hit->candidates.size(), r->candidates.size());
  EXPECT_EQ(json::serialize(hit->program.to_json()), json::serialize(r->program.to_json()));
  EXPECT_EQ(lm_.provider_calls.load(), calls);
  // ...and the signature's newest program is this one.
  OptimizationStore store(mc_.cache);
  auto latest = store.latest(testing::ticket_spec().dspy.signature.hash());
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->key, s->cache_key());
  EXPECT_EQ(latest->optimizer, "fixture_program");
}

TEST_F(ProgramServiceTest, AContextNoOptimizationOwnsIsRefusedAndAnAttachedOneIsServed) {
  const auto* raw =
      reinterpret_cast<const pl_program_service_v1*>(mc_.host.service(PL_SERVICE_PROGRAM, 1));
  ASSERT_NE(raw, nullptr);
  CallContext ctx;
  const std::string req =
      R"({"candidate": {"instructions": "", "demos": []}, "example": {"set": "train", "index": 0}})";
  auto call = [&](std::string& out_text, std::string& err_text) {
    sdk::StringBuffer out, err;
    int32_t st =
        raw->run(raw->header.host_data, ctx.raw(), req.data(), req.size(), out.get(), err.get());
    out_text = out.take();
    err_text = err.take();
    return st;
  };
  std::string out, err;
  EXPECT_EQ(call(out, err), PL_FAILED_PRECONDITION);
  EXPECT_THAT(err, HasSubstr("belongs to no running optimization"));
  auto s = session("fixture_spender");
  {
    auto routed = svc_.attach(ctx.raw(), *s);
    ASSERT_EQ(call(out, err), PL_OK) << err;
    EXPECT_EQ(json::parse(out).at("outputs").at("label"), "billing");
    sdk::StringBuffer budget;
    ASSERT_EQ(raw->budget(raw->header.host_data, ctx.raw(), budget.get()), PL_OK);
    EXPECT_EQ(json::parse(budget.str()).at("lm_calls"), 1);
  }
  EXPECT_EQ(call(out, err), PL_FAILED_PRECONDITION);
}

}  // namespace
}  // namespace pipeline
