// The call frame rides on the step's CallContext, so a plugin's host.complete() (which passes
// back the raw context it received) is attributed to the running step.
#include <pipeline/llm/call_frame.hpp>
#include <pipeline/plugins/call_context.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(CallFrame, DefaultsToTraditionalModeWithNoVariantAndNoLog) {
  CallFrame f;
  EXPECT_EQ(f.mode, "traditional");
  EXPECT_TRUE(f.variant.empty());
  EXPECT_EQ(f.log, nullptr);
}

TEST(CallFrame, TravelsWithAContextForwardedFromTheStepsOwn) {
  CallFrame frame{.run_id = "r1", .step = "ask", .step_type = "claude"};
  CallContext step_ctx;
  step_ctx.set_frame(&frame);
  CallContext forwarded = CallContext::forwarding(step_ctx.raw());
  ASSERT_NE(forwarded.frame(), nullptr);
  EXPECT_EQ(forwarded.frame()->step, "ask");
  // Forwarding a forwarded context (a provider called through the host) keeps it too.
  CallContext again = CallContext::forwarding(forwarded.raw());
  EXPECT_EQ(again.frame(), &frame);
}

TEST(CallFrame, AContextThePluginMadeItselfCarriesNoFrame) {
  pl_call_context foreign{};
  foreign.struct_size = sizeof foreign;
  CallContext forwarded = CallContext::forwarding(&foreign);
  EXPECT_EQ(forwarded.frame(), nullptr);
  EXPECT_EQ(CallContext::forwarding(nullptr).frame(), nullptr);
}

}  // namespace
}  // namespace pipeline
