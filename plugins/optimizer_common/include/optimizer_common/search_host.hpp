// What an optimizer's search logic calls: the "pipeline.program" service as typed C++ calls. The
// plugin passes a ServiceSearchHost (the real host); unit tests of the search mechanics (which
// demos a seed picks, which candidates are tried) pass their own SearchHost. A spent budget or a
// cancel surfaces as Stopped, which the search catches to return its best candidate so far.
//
//   ServiceSearchHost host(plugin_host, ctx);
//   Evaluation e = host.evaluate(candidate, "val");
//   if (!e.complete) { ... the budget or a cancel cut it short ... }
#pragma once

#include <optimizer_common/candidate.hpp>
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::optimizer {

// The budget is spent or the run was cancelled: stop searching, return the best so far.
class Stopped : public sdk::Error {
 public:
  using sdk::Error::Error;
};

struct ExampleRef {
  std::string set = "train";  // train | val
  std::size_t index = 0;
};

struct RunResult {
  boost::json::object outputs;
  std::string error;  // the reply did not parse (outputs empty)
  std::optional<double> score;
  std::string feedback;
};

struct ExampleScore {
  std::size_t index = 0;
  double score = 0;
  std::string feedback;
  boost::json::object outputs;
  std::string error;
};

struct Evaluation {
  double score = 0;
  std::vector<ExampleScore> results;  // index order
  bool complete = true;
  std::string stopped;  // budget | cancelled, when not complete
};

struct RunOptions {
  std::optional<double> temperature;
  std::optional<std::int64_t> rollout_id;
  bool score = false;
};

class SearchHost {
 public:
  virtual ~SearchHost() = default;
  virtual RunResult run(const Candidate& c, const ExampleRef& ex, const RunOptions& o) = 0;
  // indices empty: the whole set. label names the evaluation in the host's report.
  virtual Evaluation evaluate(const Candidate& c, const std::string& set,
                              const std::vector<std::size_t>& indices,
                              const std::string& label) = 0;
  // A ChatAdapter call of a string signature ("a, b -> c"): the parsed outputs.
  virtual boost::json::object predict(const std::string& signature, const std::string& instructions,
                                      const boost::json::object& inputs, const RunOptions& o) = 0;
  // A raw chat call: the reply text.
  virtual std::string chat(const boost::json::array& messages, const RunOptions& o) = 0;
  // false once cancelled.
  virtual bool progress(const boost::json::object& event) = 0;
};

// The real host, through sdk::ProgramService.
class ServiceSearchHost : public SearchHost {
 public:
  ServiceSearchHost(const sdk::Host& host, const sdk::CallContext& ctx) : svc_(host, ctx) {}

  RunResult run(const Candidate& c, const ExampleRef& ex, const RunOptions& o) override {
    boost::json::object req{{"candidate", c.to_json()},
                            {"example", {{"set", ex.set}, {"index", ex.index}}}};
    add(req, o);
    if (o.score) req["score"] = true;
    auto r = object(call([&] { return svc_.run(boost::json::serialize(req)); }));
    RunResult out;
    if (const auto* v = r.if_contains("outputs"); v && v->is_object())
      out.outputs = v->get_object();
    out.error = str(r, "error");
    if (const auto* s = r.if_contains("score"); s && s->is_number())
      out.score = s->to_number<double>();
    out.feedback = str(r, "feedback");
    return out;
  }

  Evaluation evaluate(const Candidate& c, const std::string& set,
                      const std::vector<std::size_t>& indices, const std::string& label) override {
    boost::json::object req{{"candidate", c.to_json()}, {"set", set}};
    if (!indices.empty()) {
      boost::json::array a;
      for (auto i : indices) a.push_back(i);
      req["indices"] = std::move(a);
    }
    if (!label.empty()) req["label"] = label;
    auto r = object(call([&] { return svc_.evaluate(boost::json::serialize(req)); }));
    Evaluation e;
    if (const auto* s = r.if_contains("score"); s && s->is_number())
      e.score = s->to_number<double>();
    if (const auto* c2 = r.if_contains("complete"); c2 && c2->is_bool())
      e.complete = c2->get_bool();
    e.stopped = str(r, "stopped");
    if (const auto* a = r.if_contains("results"); a && a->is_array()) {
      for (const auto& x : a->get_array()) {
        if (!x.is_object()) continue;
        const auto& xo = x.get_object();
        ExampleScore es;
        if (const auto* i = xo.if_contains("index"); i && i->is_number())
          es.index = i->to_number<std::size_t>();
        if (const auto* s = xo.if_contains("score"); s && s->is_number())
          es.score = s->to_number<double>();
        es.feedback = str(xo, "feedback");
        es.error = str(xo, "error");
        if (const auto* v = xo.if_contains("outputs"); v && v->is_object())
          es.outputs = v->get_object();
        e.results.push_back(std::move(es));
      }
    }
    return e;
  }

  boost::json::object predict(const std::string& signature, const std::string& instructions,
                              const boost::json::object& inputs, const RunOptions& o) override {
    boost::json::object req{
        {"signature", signature}, {"instructions", instructions}, {"inputs", inputs}};
    add(req, o);
    auto r = object(call([&] { return svc_.lm(boost::json::serialize(req)); }));
    if (const auto* v = r.if_contains("outputs"); v && v->is_object()) return v->get_object();
    return {};
  }

  std::string chat(const boost::json::array& messages, const RunOptions& o) override {
    boost::json::object req{{"messages", messages}};
    add(req, o);
    return str(object(call([&] { return svc_.lm(boost::json::serialize(req)); })), "text");
  }

  bool progress(const boost::json::object& event) override {
    return svc_.progress(boost::json::serialize(event));
  }

 private:
  template <class F>
  static std::string call(F f) {
    try {
      return f();
    } catch (const sdk::Error& e) {
      if (e.status() == PL_RESOURCE_EXHAUSTED || e.status() == PL_CANCELLED)
        throw Stopped(e.status(), e.what());
      throw;
    }
  }
  static boost::json::object object(const std::string& text) {
    boost::system::error_code ec;
    auto v = sdk::parse_json(text, ec);
    if (ec || !v.is_object()) throw sdk::Error(PL_INTERNAL, "pipeline.program: malformed response");
    return std::move(v.get_object());
  }
  static std::string str(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_string())
      return std::string(v->get_string());
    return {};
  }
  static void add(boost::json::object& req, const RunOptions& o) {
    if (o.temperature) req["temperature"] = *o.temperature;
    if (o.rollout_id) req["rollout_id"] = *o.rollout_id;
  }
  sdk::ProgramService svc_;
};

}  // namespace pipeline::optimizer
