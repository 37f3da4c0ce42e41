// The mock's simulation mode (`simulate:` on a mock provider instance): a deterministic stand-in
// for a model whose answers depend on the prompt, so optimizers can be demonstrated offline. It
// is a simulation, documented rule by rule in docs/optimization.md ("Offline demonstration"):
// task prompts are answered by task_answer.hpp, MIPROv2's proposer prompts by
// proposer_replies.hpp, GEPA's reflection prompt by reflection_reply.hpp, each in the reply format
// the prompt asks for. Anything else is not recognised, and the mock's usual replies answer it.
//
//   SimulatedModel sim(settings);
//   if (auto text = sim.reply(request, last_user_message)) return *text;
#pragma once

#include "simulation_settings.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace pipeline::mock {

class SimulatedModel {
 public:
  explicit SimulatedModel(SimulationSettings settings) : s_(std::move(settings)) {}

  bool enabled() const { return s_.enabled; }
  std::optional<std::string> reply(const boost::json::object& request,
                                   const std::string& last_user) const;

 private:
  SimulationSettings s_;
};

}  // namespace pipeline::mock
