// MIPROv2's instruction proposer, after DSPy's GroundedProposer (dspy/propose/grounded_proposer.py
// and dataset_summary_generator.py): the prompt model sees a summary of the training data it wrote
// itself, a description of the program, demos from one candidate demo set, a random prompting tip
// and the current instruction, and proposes one new instruction per demo set. Every LM call goes
// through the host's `lm` with a string signature (docs/optimization.md, "MIPROv2 prompts").
//
//   GroundedProposer p(host, task, settings, rng);
//   std::vector<std::string> instructions = p.propose(demo_sets, 3);   // [0] is the original
#pragma once

#include <optimizer_common/rng.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct ProposerSettings {
  bool program_aware = true;
  bool data_aware = true;
  bool tip_aware = true;
  bool fewshot_aware = true;
  std::size_t view_data_batch_size = 10;
  std::size_t num_demos_in_context = 3;  // BOOTSTRAPPED_FEWSHOT_EXAMPLES_IN_CONTEXT
  double init_temperature = 0.5;
};

// DSPy's TIPS, in its order (the random tip is drawn by index).
const std::vector<std::pair<std::string, std::string>>& proposer_tips();

// The `task_demos` text for demo set `set_i` (DSPy's gather_examples_from_sets): up to n
// bootstrapped demos from that set, then the sets after it, then those before it, each one
// `Label: value` line per field, inputs first, outputs last, blank lines between examples.
// "No task demos provided." when there are none, or for set 0 (the zero-shot set).
std::string task_demos_text(const Task& task, const std::vector<boost::json::array>& sets,
                            std::size_t set_i, std::size_t n);

class GroundedProposer {
 public:
  GroundedProposer(SearchHost& host, const Task& task, std::vector<std::size_t> train,
                   ProposerSettings s, Rng& rng)
      : host_(host), task_(task), train_(std::move(train)), s_(s), rng_(rng) {}

  // n instruction candidates: [0] the program's own instruction, then one proposal per demo set
  // 1..n-1 (DSPy also proposes for set 0 and then overwrites it with the original: we skip that
  // call). An empty proposal is dropped, as is a repeat, so fewer may come back.
  std::vector<std::string> propose(const std::vector<boost::json::array>& demo_sets, std::size_t n);

  const std::string& dataset_summary() const { return summary_; }
  const std::string& program_description() const { return program_description_; }
  std::size_t dropped() const { return dropped_; }

 private:
  void summarise_dataset();
  void describe_program(const std::string& example);
  std::string program_code() const;
  std::string module_code() const;
  std::string examples_repr(std::size_t from, std::size_t to) const;

  SearchHost& host_;
  const Task& task_;
  std::vector<std::size_t> train_;
  ProposerSettings s_;
  Rng& rng_;
  std::string summary_;
  std::string program_description_ = "Not available";
  std::string module_description_ = "Not provided";
  std::size_t dropped_ = 0;
};

}  // namespace pipeline::optimizer
