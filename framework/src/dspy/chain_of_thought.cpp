#include <pipeline/dspy/chain_of_thought.hpp>

namespace pipeline::dspy {

Signature with_reasoning(const Signature& sig) {
  if (has_reasoning(sig)) return sig;
  Signature out = sig;
  out.outputs.insert(out.outputs.begin(), make_field("reasoning"));
  return out;
}

bool has_reasoning(const Signature& sig) {
  return !sig.outputs.empty() && sig.outputs.front().name == "reasoning";
}

}  // namespace pipeline::dspy
