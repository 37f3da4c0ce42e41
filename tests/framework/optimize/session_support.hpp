// An optimization spec over the `ticket -> label` signature with a small train and validation
// set, for the session and service tests (FakeLm answers it).
#pragma once

#include <pipeline/optimize/optimization_session.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pipeline::testing {

inline dspy::DatasetRow row(std::string ticket, std::string label) {
  dspy::DatasetRow r;
  r.inputs["ticket"] = ticket;
  r.outputs["label"] = label;
  return r;
}

inline OptimizationSpec ticket_spec() {
  OptimizationSpec spec;
  spec.step = "classify";
  spec.step_type = "claude";
  auto sig = dspy::parse_signature_string("ticket -> label", std::string("Classify the ticket."));
  EXPECT_TRUE(sig) << sig.status().to_string();
  spec.dspy.step = "classify";
  spec.dspy.signature = *sig;
  spec.provider = "mock";
  spec.optimizer = "fixture_spender";
  spec.metric = json::object{{"type", "exact_match"}, {"field", "label"}};
  // FakeLm says billing for "refund"/"charge", technical otherwise: the card one is wrong.
  spec.trainset = {row("I want a refund", "billing"), row("the app crashes", "technical"),
                   row("my card was billed twice", "billing"), row("wrong charge", "billing")};
  spec.valset = {row("refund please", "billing"), row("login fails", "technical"),
                 row("they billed my card", "billing")};
  return spec;
}

}  // namespace pipeline::testing
