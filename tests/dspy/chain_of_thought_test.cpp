#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/chat_adapter.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

TEST(ChainOfThought, ReasoningComesFirstAndInstructionsStay) {
  auto sig = parse_signature_string("question -> answer");
  auto cot = with_reasoning(*sig);
  ASSERT_EQ(cot.outputs.size(), 2u);
  EXPECT_EQ(cot.outputs[0].name, "reasoning");
  EXPECT_EQ(cot.outputs[0].prefix, "Reasoning:");
  EXPECT_EQ(cot.outputs[0].desc, "${reasoning}");
  EXPECT_EQ(cot.instructions, "Given the fields `question`, produce the fields `answer`.");
  EXPECT_TRUE(has_reasoning(cot));
  EXPECT_EQ(with_reasoning(cot).outputs.size(), 2u);
}

TEST(ChainOfThought, ExactChatMessages) {
  // dspy.ChainOfThought("question -> answer") with ChatAdapter.
  auto cot = with_reasoning(*parse_signature_string("question -> answer"));
  json::object inputs{{"question", "What is 2+2?"}};
  auto messages = ChatAdapter().format(cot, {}, inputs);
  EXPECT_EQ(messages[0].content, R"(Your input fields are:
1. `question` (str):
Your output fields are:
1. `reasoning` (str): 
2. `answer` (str):
All interactions will be structured in the following way, with the appropriate values filled in.

[[ ## question ## ]]
{question}

[[ ## reasoning ## ]]
{reasoning}

[[ ## answer ## ]]
{answer}

[[ ## completed ## ]]
In adhering to this structure, your objective is: 
        Given the fields `question`, produce the fields `answer`.)");
  EXPECT_EQ(messages[1].content,
            "[[ ## question ## ]]\nWhat is 2+2?\n\nRespond with the corresponding output fields, "
            "starting with the field `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`, and then "
            "ending with the marker for `[[ ## completed ## ]]`.");
  auto r = ChatAdapter().parse(cot,
                               "[[ ## reasoning ## ]]\n2 and 2 make 4.\n\n[[ ## answer ## ]]\n4\n\n"
                               "[[ ## completed ## ]]");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.fields().at("reasoning"), "2 and 2 make 4.");
}

}  // namespace
}  // namespace pipeline::dspy
