// A pl_program_service_v1 for ABI tests of optimizer plugins: it parses each JSON request the
// plugin sends, answers it from a ScriptedSearchHost, and records the requests, so a test checks
// the plugin's requests, the statuses of a spent budget and its result document at the boundary.
// task_json builds the pl_optimizer_vtable task document of a Task.
//
//   ScriptedSearchHost host(task);
//   ScriptedProgramService svc(host);
//   plugins.register_service(PL_SERVICE_PROGRAM, &svc.svc.header);
#pragma once

#include "scripted_search_host.hpp"

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::optimizer::testing {

namespace bj = boost::json;

// The test's pipeline.program: parses each request, asks the scripted host, writes the response.
struct ScriptedProgramService {
  explicit ScriptedProgramService(ScriptedSearchHost& h) : host(h) {
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
    auto* s = static_cast<ScriptedProgramService*>(self);
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
    return answer(self, req, n, out, err, [](ScriptedProgramService& s, const bj::object& r) {
      const auto& ex = r.at("example").as_object();
      RunOptions o;
      o.score = r.contains("score") && r.at("score").as_bool();
      if (const auto* t = r.if_contains("temperature")) o.temperature = t->to_number<double>();
      if (const auto* id = r.if_contains("rollout_id"))
        o.rollout_id = id->to_number<std::int64_t>();
      RunResult x = s.host.run(
          Candidate::from_json(r.at("candidate")),
          {std::string(ex.at("set").as_string()), ex.at("index").to_number<std::size_t>()}, o);
      bj::object resp{{"outputs", x.outputs}};
      if (!x.error.empty()) resp["error"] = x.error;
      if (x.score) resp["score"] = *x.score;
      resp["feedback"] = x.feedback;
      return resp;
    });
  }
  static int32_t evaluate(void* self, const pl_call_context*, const char* req, size_t n,
                          pl_buffer* out, pl_buffer* err) {
    return answer(self, req, n, out, err, [](ScriptedProgramService& s, const bj::object& r) {
      std::vector<std::size_t> idx;
      if (const auto* a = r.if_contains("indices"))
        for (const auto& v : a->as_array()) idx.push_back(v.to_number<std::size_t>());
      Evaluation e = s.host.evaluate(Candidate::from_json(r.at("candidate")),
                                     std::string(r.at("set").as_string()), idx, "");
      bj::array results;
      for (const auto& x : e.results)
        results.push_back(
            bj::object{{"index", x.index},
                       {"score", x.score},
                       {"feedback", x.feedback},
                       {"outputs", x.outputs},
                       {"error", x.error.empty() ? bj::value(nullptr) : bj::value(x.error)}});
      bj::object resp{{"score", e.score}, {"results", results}, {"complete", e.complete}};
      if (!e.complete) resp["stopped"] = e.stopped;
      return resp;
    });
  }
  static int32_t lm(void* self, const pl_call_context*, const char* req, size_t n, pl_buffer* out,
                    pl_buffer* err) {
    return answer(self, req, n, out, err, [](ScriptedProgramService& s, const bj::object& r) {
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
    return static_cast<ScriptedProgramService*>(self)->host.progress(
               bj::parse(std::string_view(ev, n)).as_object())
               ? PL_OK
               : PL_CANCELLED;
  }
  static int32_t budget(void*, const pl_call_context*, pl_buffer* out) {
    sdk::append(out, R"({"exhausted":false,"cancelled":false})");
    return PL_OK;
  }
};

inline bj::object task_json(const Task& t, bj::object params) {
  auto rows = [](const std::vector<TaskExample>& xs) {
    bj::array a;
    for (const auto& x : xs) a.push_back(bj::object{{"inputs", x.inputs}, {"outputs", x.outputs}});
    return a;
  };
  return {{"step", t.step},           {"signature", t.signature},    {"trainset", rows(t.trainset)},
          {"valset", rows(t.valset)}, {"metric", t.metric},          {"params", params},
          {"seed", t.seed},           {"program", t.start.to_json()}};
}

}  // namespace pipeline::optimizer::testing
