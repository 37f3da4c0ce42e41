// DSPy's ChainOfThought: the same signature with a `reasoning` output field first
// (desc "${reasoning}", prefix "Reasoning:", type str); instructions unchanged.
//
//   Signature cot = with_reasoning(sig);   // outputs: reasoning, answer
#pragma once

#include <pipeline/dspy/signature.hpp>

namespace pipeline::dspy {

Signature with_reasoning(const Signature& sig);
// True when the first output is DSPy's reasoning field.
bool has_reasoning(const Signature& sig);

}  // namespace pipeline::dspy
