// A SearchHost whose model is a script: the test says how a candidate scores on each example, what
// the prompt model proposes and what the reflection model replies. It keeps the host's rules that
// the search logic relies on: every run, scored example, predict and chat is one LM call; once
// max_lm_calls is spent, run / predict / chat throw Stopped(RESOURCE_EXHAUSTED) and evaluate
// returns what ran with complete=false; after cancel_after calls, everything stops as CANCELLED.
// Every call is logged, so two runs can be compared call by call.
//
//   ScriptedSearchHost host(task);
//   host.score = [](const Candidate& c, const std::string&, std::size_t i) { return ...; };
//   MiproResult r = mipro_v2(host, task, settings);
#pragma once

#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::optimizer::testing {

// A trainset/valset of "ticket -> category" rows: category is "billing" for even ids.
inline Task ticket_task(std::size_t n_train, std::size_t n_val, std::uint64_t seed = 7) {
  Task t;
  t.step = "classify";
  t.signature = boost::json::object{
      {"instructions", "Classify the ticket."},
      {"inputs", boost::json::array{{{"name", "ticket"}, {"type", "str"}, {"prefix", "Ticket:"}}}},
      {"outputs",
       boost::json::array{{{"name", "category"}, {"type", "str"}, {"prefix", "Category:"}}}},
      {"text", "ticket -> category"}};
  auto row = [](const std::string& set, std::size_t i) {
    TaskExample e;
    e.inputs["ticket"] = set + " ticket " + std::to_string(i);
    e.outputs["category"] = i % 2 == 0 ? "billing" : "technical";
    return e;
  };
  for (std::size_t i = 0; i < n_train; ++i) t.trainset.push_back(row("train", i));
  for (std::size_t i = 0; i < n_val; ++i) t.valset.push_back(row("val", i));
  t.metric = "exact_match";
  t.seed = seed;
  t.start.instructions = "Classify the ticket.";
  return t;
}

class ScriptedSearchHost : public SearchHost {
 public:
  explicit ScriptedSearchHost(const Task& task) : task_(task) {}

  // The score of candidate c on example (set, index), in [0, 1].
  std::function<double(const Candidate&, const std::string&, std::size_t)> score =
      [](const Candidate&, const std::string&, std::size_t) { return 1.0; };
  // A string-signature call (proposer, dataset summary): the outputs.
  std::function<boost::json::object(const std::string& sig, const boost::json::object& inputs)>
      predict_reply = [this](const std::string& sig, const boost::json::object&) {
        boost::json::object o;
        const std::string out = sig.substr(sig.find("->") + 3);
        o[out] = out == "proposed_instruction"
                     ? "Proposed instruction " + std::to_string(++proposals_)
                     : "Some " + out + ".";
        return o;
      };
  // A raw chat call (reflection): the reply text.
  std::function<std::string(const std::string& prompt)> chat_reply = [this](const std::string&) {
    return "```\nReflected instruction " + std::to_string(++reflections_) + "\n```";
  };

  // A reply that does not parse on (set, index) when it returns a reason: run gives that error with
  // outputs {}, evaluate scores the example 0 with it.
  std::function<std::string(const std::string&, std::size_t)> parse_error;
  // The options of the run being scored, so a score script can depend on the round (temperature,
  // rollout id).
  RunOptions running;
  // run's score is the script's score itself (a graded metric), not 1 / 0 split at 0.5.
  bool graded = false;

  std::optional<std::size_t> max_lm_calls;
  std::optional<std::size_t> cancel_after;

  std::size_t lm_calls = 0;
  std::size_t metric_calls = 0;  // scored examples (run with score, or evaluate)
  std::vector<std::string> log;
  std::vector<boost::json::object> predicts;  // {"signature", "instructions", "inputs", ...}
  std::vector<std::string> prompts;           // chat prompts
  std::vector<boost::json::object> events;

  RunResult run(const Candidate& c, const ExampleRef& ex, const RunOptions& o) override {
    take("run " + ex.set + ":" + std::to_string(ex.index) + " " + c.instructions +
         " t=" + (o.temperature ? std::to_string(*o.temperature) : "-") +
         " r=" + (o.rollout_id ? std::to_string(*o.rollout_id) : "-"));
    RunResult r;
    if (parse_error) r.error = parse_error(ex.set, ex.index);
    if (!r.error.empty()) {
      if (o.score) {
        ++metric_calls;
        r.score = 0.0;
      }
      return r;
    }
    const TaskExample& e = example(ex.set, ex.index);
    running = o;
    const double s = score(c, ex.set, ex.index);
    r.outputs = s >= 0.5 ? e.outputs : boost::json::object{{"category", "wrong"}};
    if (o.score) {
      ++metric_calls;
      r.score = graded ? s : (s >= 0.5 ? 1.0 : 0.0);
      r.feedback = feedback(e, r.outputs);
    }
    return r;
  }

  Evaluation evaluate(const Candidate& c, const std::string& set,
                      const std::vector<std::size_t>& indices, const std::string& label) override {
    std::vector<std::size_t> idx = indices;
    if (idx.empty())
      for (std::size_t i = 0; i < (set == "val" ? task_.valset.size() : task_.trainset.size()); ++i)
        idx.push_back(i);
    std::sort(idx.begin(), idx.end());  // the host reports in index order
    log.push_back("evaluate " + set + " n=" + std::to_string(idx.size()) + " " + c.instructions +
                  " demos=" + std::to_string(c.demos.size()) + " [" + label + "]");
    Evaluation e;
    double sum = 0;
    for (std::size_t i : idx) {
      try {
        take("");
      } catch (const Stopped& s) {
        e.complete = false;
        e.stopped = s.status() == PL_CANCELLED ? "cancelled" : "budget";
        break;
      }
      ++metric_calls;
      const TaskExample& ex = example(set, i);
      ExampleScore es;
      es.index = i;
      if (parse_error) es.error = parse_error(set, i);
      if (!es.error.empty()) {
        e.results.push_back(std::move(es));
        continue;
      }
      running = {};
      es.score = score(c, set, i);
      es.outputs = es.score >= 0.5 ? ex.outputs : boost::json::object{{"category", "wrong"}};
      es.feedback = feedback(ex, es.outputs);
      sum += es.score;
      e.results.push_back(std::move(es));
    }
    e.score = e.results.empty() ? 0 : sum / static_cast<double>(e.results.size());
    evaluations.push_back({c, set, idx, e.score, e.complete});
    return e;
  }

  boost::json::object predict(const std::string& signature, const std::string& instructions,
                              const boost::json::object& inputs, const RunOptions& o) override {
    take("predict " + signature);
    boost::json::object rec{
        {"signature", signature}, {"instructions", instructions}, {"inputs", inputs}};
    if (o.temperature) rec["temperature"] = *o.temperature;
    if (o.rollout_id) rec["rollout_id"] = *o.rollout_id;
    predicts.push_back(rec);
    return predict_reply(signature, inputs);
  }

  std::string chat(const boost::json::array& messages, const RunOptions&) override {
    take("chat");
    std::string prompt;
    for (const auto& m : messages) prompt += std::string(m.at("content").as_string());
    prompts.push_back(prompt);
    return chat_reply(prompt);
  }

  bool progress(const boost::json::object& event) override {
    events.push_back(event);
    return !(cancel_after && lm_calls >= *cancel_after);
  }

  struct Evaluated {
    Candidate candidate;
    std::string set;
    std::vector<std::size_t> indices;
    double score;
    bool complete;
  };
  std::vector<Evaluated> evaluations;

 private:
  void take(const std::string& entry) {
    if (cancel_after && lm_calls >= *cancel_after) throw Stopped(PL_CANCELLED, "cancelled");
    if (max_lm_calls && lm_calls >= *max_lm_calls) throw Stopped(PL_RESOURCE_EXHAUSTED, "budget");
    ++lm_calls;
    if (!entry.empty()) log.push_back(entry);
  }
  const TaskExample& example(const std::string& set, std::size_t i) const {
    return set == "val" ? task_.valset.at(i) : task_.trainset.at(i);
  }
  static std::string feedback(const TaskExample& e, const boost::json::object& out) {
    const std::string want(e.outputs.at("category").as_string());
    const std::string got(out.at("category").as_string());
    return want == got ? "" : "expected '" + want + "', got '" + got + "'";
  }

  const Task& task_;
  std::size_t proposals_ = 0;
  std::size_t reflections_ = 0;
};

}  // namespace pipeline::optimizer::testing
