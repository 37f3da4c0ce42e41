// Golden messages: each expected text is the one DSPy 3.3's tests/adapters/test_chat_adapter.py
// pins for the same signature, demos and inputs.
#include <pipeline/dspy/chat_adapter.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

Signature sig_of(std::string_view text, std::optional<std::string> instructions = std::nullopt) {
  auto s = parse_signature_string(text, std::move(instructions));
  EXPECT_TRUE(s) << s.status().message();
  return *s;
}

Example ex(std::string_view json_text) {
  auto v = parse_json(json_text);
  EXPECT_TRUE(v) << json_text;
  return v->as_object();
}

TEST(ChatAdapter, ExactMessagesForSimpleSignature) {
  auto sig = sig_of("question: str -> answer: str", "Answer the question.");
  auto messages =
      ChatAdapter().format(sig, {}, ex(R"({"question": "What is the capital of France?"})"));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].role, "system");
  EXPECT_EQ(messages[0].content, R"(Your input fields are:
1. `question` (str):
Your output fields are:
1. `answer` (str):
All interactions will be structured in the following way, with the appropriate values filled in.

[[ ## question ## ]]
{question}

[[ ## answer ## ]]
{answer}

[[ ## completed ## ]]
In adhering to this structure, your objective is: )"
                                 "\n        Answer the question.");
  EXPECT_EQ(messages[1].role, "user");
  EXPECT_EQ(
      messages[1].content,
      "[[ ## question ## ]]\nWhat is the capital of France?\n\nRespond with the corresponding "
      "output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the "
      "marker for `[[ ## completed ## ]]`.");
}

TEST(ChatAdapter, ExactMessagesWithDemoAndTypedOutputs) {
  auto sig = sig_of("question -> answers: list[str], scores: list[float]",
                    "Answer the question with multiple answers and scores");
  auto messages = ChatAdapter().format(
      sig, {ex(R"({"question": "Q1", "answers": ["A1", "A2"], "scores": [0.1, 0.9]})")},
      ex(R"({"question": "Q2"})"));
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].content,
            "Your input fields are:\n"
            "1. `question` (str):\n"
            "Your output fields are:\n"
            "1. `answers` (list[str]): \n"
            "2. `scores` (list[float]):\n"
            "All interactions will be structured in the following way, with "
            "the appropriate values filled in.\n\n"
            "[[ ## question ## ]]\n{question}\n\n"
            "[[ ## answers ## ]]\n{answers}        # note: the value you produce "
            "must adhere to the JSON schema: {\"type\": \"array\", \"items\": "
            "{\"type\": \"string\"}}\n\n"
            "[[ ## scores ## ]]\n{scores}        # note: the value you produce "
            "must adhere to the JSON schema: {\"type\": \"array\", \"items\": "
            "{\"type\": \"number\"}}\n\n"
            "[[ ## completed ## ]]\n"
            "In adhering to this structure, your objective is: \n"
            "        Answer the question with multiple answers and scores");
  EXPECT_EQ(messages[1], (Message{"user", "[[ ## question ## ]]\nQ1"}));
  EXPECT_EQ(messages[2], (Message{"assistant",
                                  "[[ ## answers ## ]]\n[\"A1\", \"A2\"]\n\n[[ ## scores ## "
                                  "]]\n[0.1, 0.9]\n\n[[ ## completed ## ]]\n"}));
  EXPECT_EQ(
      messages[3].content,
      "[[ ## question ## ]]\nQ2\n\nRespond with the corresponding output fields, starting with "
      "the field `[[ ## answers ## ]]` (must be formatted as a valid Python list[str]), then "
      "`[[ ## scores ## ]]` (must be formatted as a valid Python list[float]), and then ending "
      "with the marker for `[[ ## completed ## ]]`.");
}

TEST(ChatAdapter, ExactMessagesWithLiteralOutput) {
  auto sig = sig_of("question -> verdict: Literal['yes', 'no']");
  auto messages = ChatAdapter().format(sig, {}, ex(R"({"question": "Is the sky blue?"})"));
  EXPECT_EQ(messages[0].content,
            "Your input fields are:\n"
            "1. `question` (str):\n"
            "Your output fields are:\n"
            "1. `verdict` (Literal['yes', 'no']):\n"
            "All interactions will be structured in the following way, with the appropriate "
            "values filled in.\n"
            "\n"
            "[[ ## question ## ]]\n"
            "{question}\n"
            "\n"
            "[[ ## verdict ## ]]\n"
            "{verdict}        # note: the value you produce must exactly match (no extra "
            "characters) one of: yes; no\n"
            "\n"
            "[[ ## completed ## ]]\n"
            "In adhering to this structure, your objective is: \n"
            "        Given the fields `question`, produce the fields `verdict`.");
  EXPECT_EQ(messages[1].content,
            "[[ ## question ## ]]\n"
            "Is the sky blue?\n"
            "\n"
            "Respond with the corresponding output fields, starting with the field `[[ ## verdict "
            "## ]]` (must be formatted as a valid Python Literal['yes', 'no']), and then ending "
            "with the marker for `[[ ## completed ## ]]`.");
}

TEST(ChatAdapter, DemosAsUserAssistantTurns) {
  // DSPy's test: two complete demos become alternating user/assistant messages.
  auto sig = sig_of("question -> answer");
  auto messages = ChatAdapter().format(
      sig,
      {ex(R"({"question": "What is the capital of France?", "answer": "Paris"})"),
       ex(R"({"question": "What is the capital of Germany?", "answer": "Berlin"})")},
      ex(R"({"question": "What is the capital of Italy?"})"));
  ASSERT_EQ(messages.size(), 6u);
  EXPECT_EQ(messages[1].content, "[[ ## question ## ]]\nWhat is the capital of France?");
  EXPECT_EQ(messages[2].content, "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]\n");
  EXPECT_EQ(messages[3].content, "[[ ## question ## ]]\nWhat is the capital of Germany?");
  EXPECT_EQ(messages[4].content, "[[ ## answer ## ]]\nBerlin\n\n[[ ## completed ## ]]\n");
}

TEST(ChatAdapter, IncompleteDemosComeFirstWithDspysNotices) {
  auto sig = sig_of("question, context -> answer, score: float");
  auto messages = ChatAdapter().format(
      sig,
      {ex(R"({"question": "Q0", "context": "C0", "answer": "A0", "score": 1.0})"),
       ex(R"({"question": "Q1", "answer": "A1"})"), ex(R"({"question": "only input"})")},
      ex(R"({"question": "Q2", "context": "C2"})"));
  // The demo without an output is dropped; the incomplete one precedes the complete one.
  ASSERT_EQ(messages.size(), 6u);
  EXPECT_EQ(messages[1].content,
            "This is an example of the task, though some input or output fields are not "
            "supplied.\n\n[[ ## question ## ]]\nQ1");
  EXPECT_EQ(messages[2].content,
            "[[ ## answer ## ]]\nA1\n\n[[ ## score ## ]]\nNot supplied for this particular "
            "example.\n\n[[ ## completed ## ]]\n");
  EXPECT_EQ(messages[3].content, "[[ ## question ## ]]\nQ0\n\n[[ ## context ## ]]\nC0");
  EXPECT_EQ(messages[4].content,
            "[[ ## answer ## ]]\nA0\n\n[[ ## score ## ]]\n1.0\n\n[[ ## completed ## ]]\n");
}

TEST(ChatAdapter, ListInputForStrFieldIsANumberedList) {
  auto sig = sig_of("passages, question -> answer");
  auto messages =
      ChatAdapter().format(sig, {}, ex(R"({"passages": ["one", "two\nlines"], "question": "q"})"));
  EXPECT_EQ(messages[1].content.substr(0, 60),
            std::string("[[ ## passages ## ]]\n[1] «one»\n[2] «««\n    two\n    lines\n»»»")
                .substr(0, 60));
}

TEST(ChatAdapter, ParsesTypedFieldsFromHeaders) {
  auto sig = sig_of("question -> answer, count: int, ok: bool, tags: list[str]");
  auto r = ChatAdapter().parse(
      sig,
      "[[ ## answer ## ]]\nParis\n\n[[ ## count ## ]]\n3\n\n[[ ## ok ## ]]\nTrue\n\n"
      "[[ ## tags ## ]]\n[\"a\", \"b\"]\n\n[[ ## completed ## ]]");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r.fields().at("answer"), "Paris");
  EXPECT_EQ(r.fields().at("count"), 3);
  EXPECT_EQ(r.fields().at("ok"), true);
  EXPECT_EQ(serialize(r.fields().at("tags")), R"(["a","b"])");
}

TEST(ChatAdapter, ParseKeepsTheFirstOccurrenceAndTextOnTheHeaderLine) {
  auto sig = sig_of("question -> answer");
  auto r = ChatAdapter().parse(
      sig, "[[ ## answer ## ]] Paris\nis the capital\n[[ ## answer ## ]]\nLyon");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.fields().at("answer"), "Paris\nis the capital");
}

TEST(ChatAdapter, MissingFieldIsATypedErrorWithTheRawReply) {
  auto sig = sig_of("question -> answer, score: float");
  auto r = ChatAdapter().parse(sig, "[[ ## answer ## ]]\nParis");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().lm_response, "[[ ## answer ## ]]\nParis");
  EXPECT_EQ(r.error().message(),
            "Adapter ChatAdapter failed to parse the LM response. \n\n"
            "LM Response: [[ ## answer ## ]]\nParis \n\n"
            "Expected to find output fields in the LM response: [answer, score] \n\n"
            "Actual output fields parsed from the LM response: [answer] \n\n");
}

TEST(ChatAdapter, BadValueNamesTheFieldAndKeepsTheReply) {
  auto sig = sig_of("question -> score: float");
  auto r = ChatAdapter().parse(sig, "[[ ## score ## ]]\nhigh");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find(
                "Failed to parse field score with value high from the LM response. Error "
                "message: "),
            std::string::npos);
  EXPECT_EQ(r.error().lm_response, "[[ ## score ## ]]\nhigh");
}

TEST(ChatAdapter, EmptyReplyIsAParseError) {
  auto sig = sig_of("question -> answer");
  auto r = ChatAdapter().parse(sig, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "The LM returned an empty or null response.");
}

TEST(ChatAdapter, OutputSchemaIsShownAndEnforced) {
  auto sig = sig_of("question -> tags: list[str]");
  sig.outputs[0].schema = parse_json(R"({"maxItems": 1, "type": "array"})").value();
  auto messages = ChatAdapter().format(sig, {}, ex(R"({"question": "q"})"));
  EXPECT_NE(messages[0].content.find(R"(JSON schema: {"type": "array", "maxItems": 1})"),
            std::string::npos);
  auto r = ChatAdapter().parse(sig, "[[ ## tags ## ]]\n[\"a\", \"b\"]");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("more than 1 items"), std::string::npos) << r.error().detail;
}

}  // namespace
}  // namespace pipeline::dspy
