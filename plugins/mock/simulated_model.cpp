#include "simulated_model.hpp"

#include "adapter_reply.hpp"
#include "dspy_prompt.hpp"
#include "prompt_hash.hpp"
#include "proposer_replies.hpp"
#include "reflection_reply.hpp"
#include "task_answer.hpp"

namespace json = boost::json;

namespace pipeline::mock {

std::optional<std::string> SimulatedModel::reply(const json::object& request,
                                                 const std::string& last_user) const {
  if (!s_.enabled) return std::nullopt;
  if (auto text = reflection_reply(last_user, s_)) return text;
  auto prompt = parse_dspy_prompt(request);
  if (!prompt) return std::nullopt;
  if (auto outputs = proposer_reply(*prompt, s_)) return adapter_reply(*prompt, *outputs);
  // The prompt alone (not temperature, rollout id or model) seeds the noise: one prompt, one
  // answer, so cached and uncached runs agree and optimizers are deterministic.
  uint64_t h = kFnvBasis;
  if (const auto* sys = request.if_contains("system")) h = fnv1a(json::serialize(*sys), h);
  if (const auto* msgs = request.if_contains("messages")) h = fnv1a(json::serialize(*msgs), h);
  return adapter_reply(*prompt, answer_task(*prompt, s_, h).outputs);
}

}  // namespace pipeline::mock
