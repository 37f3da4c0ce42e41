// The built mipro_v2 and gepa libraries loaded through the real PluginHost and driven through the
// C ABI: a pl_program_service_v1 registered by the test answers from a scripted model, so the
// plugins' JSON requests, the statuses of a spent budget and their result documents are checked
// end to end at the boundary.
#include "scripted_search_host.hpp"

#include <pipeline/plugins/call_context.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

namespace bj = boost::json;

// The test's pipeline.program: parses each request, asks the scripted host, writes the response.
struct TestService {
  explicit TestService(ScriptedSearchHost& h) : host(h) {
    svc.header.struct_size = sizeof(svc);
    svc.header.version = 1;
    svc.header.host_data = this;
    svc.run = &run;
    svc.score = &unsupported;
    svc.evaluate = &evaluate;
    svc.lm = &lm;
    svc.progress = &progress;
    svc.budget = &budget;
  }
  ScriptedSearchHost& host;
  pl_program_service_v1 svc{};
  std::vector<bj::object> requests;

  template <class F>
  static int32_t answer(void* self, const char* req, size_t n, pl_buffer* out, pl_buffer* err,
                        F f) {
    auto* s = static_cast<TestService*>(self);
    try {
      bj::object r = bj::parse(std::string_view(req, n)).as_object();
      s->requests.push_back(r);
      sdk::append(out, bj::serialize(f(*s, r)));
      return PL_OK;
    } catch (const Stopped& e) {
      sdk::append(err, e.what());
      return e.status();
    } catch (const std::exception& e) {
      sdk::append(err, e.what());
      return PL_INVALID_ARGUMENT;
    }
  }
  static int32_t run(void* self, const pl_call_context*, const char* req, size_t n, pl_buffer* out,
                     pl_buffer* err) {
    return answer(self, req, n, out, err, [](TestService& s, const bj::object& r) {
      const auto& ex = r.at("example").as_object();
      RunOptions o;
      o.score = r.contains("score") && r.at("score").as_bool();
      RunResult x = s.host.run(
          Candidate::from_json(r.at("candidate")),
          {std::string(ex.at("set").as_string()), ex.at("index").to_number<std::size_t>()}, o);
      bj::object resp{{"outputs", x.outputs}};
      if (x.score) resp["score"] = *x.score;
      resp["feedback"] = x.feedback;
      return resp;
    });
  }
  static int32_t evaluate(void* self, const pl_call_context*, const char* req, size_t n,
                          pl_buffer* out, pl_buffer* err) {
    return answer(self, req, n, out, err, [](TestService& s, const bj::object& r) {
      std::vector<std::size_t> idx;
      if (const auto* a = r.if_contains("indices"))
        for (const auto& v : a->as_array()) idx.push_back(v.to_number<std::size_t>());
      Evaluation e = s.host.evaluate(Candidate::from_json(r.at("candidate")),
                                     std::string(r.at("set").as_string()), idx, "");
      bj::array results;
      for (const auto& x : e.results)
        results.push_back(bj::object{{"index", x.index},
                                     {"score", x.score},
                                     {"feedback", x.feedback},
                                     {"outputs", x.outputs},
                                     {"error", nullptr}});
      bj::object resp{{"score", e.score}, {"results", results}, {"complete", e.complete}};
      if (!e.complete) resp["stopped"] = e.stopped;
      return resp;
    });
  }
  static int32_t lm(void* self, const pl_call_context*, const char* req, size_t n, pl_buffer* out,
                    pl_buffer* err) {
    return answer(self, req, n, out, err, [](TestService& s, const bj::object& r) {
      if (r.contains("messages"))
        return bj::object{{"text", s.host.chat(r.at("messages").as_array(), {})}};
      return bj::object{{"outputs", s.host.predict(std::string(r.at("signature").as_string()),
                                                   std::string(r.at("instructions").as_string()),
                                                   r.at("inputs").as_object(), {})}};
    });
  }
  static int32_t unsupported(void*, const pl_call_context*, const char*, size_t, pl_buffer*,
                             pl_buffer* err) {
    sdk::append(err, "score is not scripted");
    return PL_UNIMPLEMENTED;
  }
  static int32_t progress(void* self, const pl_call_context*, const char* ev, size_t n) {
    return static_cast<TestService*>(self)->host.progress(
               bj::parse(std::string_view(ev, n)).as_object())
               ? PL_OK
               : PL_CANCELLED;
  }
  static int32_t budget(void*, const pl_call_context*, pl_buffer* out) {
    sdk::append(out, R"({"exhausted":false,"cancelled":false})");
    return PL_OK;
  }
};

bj::object task_json(const Task& t, bj::object params) {
  auto rows = [](const std::vector<TaskExample>& xs) {
    bj::array a;
    for (const auto& x : xs) a.push_back(bj::object{{"inputs", x.inputs}, {"outputs", x.outputs}});
    return a;
  };
  return {{"step", t.step},           {"signature", t.signature},    {"trainset", rows(t.trainset)},
          {"valset", rows(t.valset)}, {"metric", t.metric},          {"params", params},
          {"seed", t.seed},           {"program", t.start.to_json()}};
}

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
