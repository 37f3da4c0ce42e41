// Golden messages: each expected text is the one DSPy 3.3's tests/adapters/test_json_adapter.py
// pins for the same signature, demos and inputs.
#include <pipeline/dspy/json_adapter.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

Signature sig_of(std::string_view text) {
  auto s = parse_signature_string(text);
  EXPECT_TRUE(s) << s.status().message();
  return *s;
}

Example ex(std::string_view json_text) {
  auto v = parse_json(json_text);
  EXPECT_TRUE(v) << json_text;
  return v->as_object();
}

TEST(JSONAdapter, ExactMessagesWithDemoAndTypedOutput) {
  auto sig = sig_of("question -> answer, confidence: float");
  auto messages =
      JSONAdapter().format(sig, {ex(R"({"question": "Q1", "answer": "A1", "confidence": 0.9})")},
                           ex(R"({"question": "Q2"})"));
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].content, R"(Your input fields are:
1. `question` (str):
Your output fields are:
1. `answer` (str): 
2. `confidence` (float):
All interactions will be structured in the following way, with the appropriate values filled in.

Inputs will have the following structure:

[[ ## question ## ]]
{question}

Outputs will be a JSON object with the following fields.

{
  "answer": "{answer}",
  "confidence": "{confidence}        # note: the value you produce must be a single float value"
}
In adhering to this structure, your objective is: 
        Given the fields `question`, produce the fields `answer`, `confidence`.)");
  EXPECT_EQ(messages[1].content, "[[ ## question ## ]]\nQ1");
  EXPECT_EQ(messages[2].content, "{\n  \"answer\": \"A1\",\n  \"confidence\": 0.9\n}");
  EXPECT_EQ(
      messages[3].content,
      "[[ ## question ## ]]\nQ2\n\nRespond with a JSON object in the following order of fields: "
      "`answer`, then `confidence` (must be formatted as a valid Python float).");
}

TEST(JSONAdapter, ExactMessagesWithDescribedAndBoolOutputs) {
  auto sig = sig_of("input1 -> output1, output2: bool");
  sig.outputs[0].desc = "String output field";
  auto messages = JSONAdapter().format(sig, {}, ex(R"({"input1": "Test input"})"));
  EXPECT_EQ(messages[0].content, R"(Your input fields are:
1. `input1` (str):
Your output fields are:
1. `output1` (str): String output field
2. `output2` (bool):
All interactions will be structured in the following way, with the appropriate values filled in.

Inputs will have the following structure:

[[ ## input1 ## ]]
{input1}

Outputs will be a JSON object with the following fields.

{
  "output1": "{output1}",
  "output2": "{output2}        # note: the value you produce must be True or False"
}
In adhering to this structure, your objective is: 
        Given the fields `input1`, produce the fields `output1`, `output2`.)");
  EXPECT_EQ(
      messages[1].content,
      "[[ ## input1 ## ]]\nTest input\n\nRespond with a JSON object in the following order of "
      "fields: `output1`, then `output2` (must be formatted as a valid Python bool).");
}

TEST(JSONAdapter, ExactMessagesWithIntAndMappingOutputs) {
  auto sig = sig_of("question -> count: int, metadata: dict[str, int]");
  auto messages = JSONAdapter().format(sig, {}, ex(R"({"question": "Count things"})"));
  EXPECT_EQ(
      messages[0].content,
      "Your input fields are:\n"
      "1. `question` (str):\n"
      "Your output fields are:\n"
      "1. `count` (int): \n"
      "2. `metadata` (dict[str, int]):\n"
      "All interactions will be structured in the following way, with the appropriate "
      "values filled in.\n"
      "\n"
      "Inputs will have the following structure:\n"
      "\n"
      "[[ ## question ## ]]\n"
      "{question}\n"
      "\n"
      "Outputs will be a JSON object with the following fields.\n"
      "\n"
      "{\n"
      "  \"count\": \"{count}        # note: the value you produce must be a single int "
      "value\",\n"
      "  \"metadata\": \"{metadata}        # note: the value you produce must adhere to the "
      "JSON schema: {\\\"type\\\": \\\"object\\\", \\\"additionalProperties\\\": {\\\"type\\\": "
      "\\\"integer\\\"}}\"\n"
      "}\n"
      "In adhering to this structure, your objective is: \n"
      "        Given the fields `question`, produce the fields `count`, `metadata`.");
  EXPECT_EQ(messages[1].content,
            "[[ ## question ## ]]\n"
            "Count things\n"
            "\n"
            "Respond with a JSON object in the following order of fields: `count` (must be "
            "formatted as a valid Python int), then `metadata` (must be formatted as a valid "
            "Python dict[str, int]).");
}

TEST(JSONAdapter, ExactMessagesWithLiteralAndEnumOutputs) {
  auto sig = sig_of("text -> decision: Literal['accept', 'reject'], label");
  sig.outputs[1].type.kind = FieldType::Kind::kEnum;
  sig.outputs[1].type.enum_name = "Label";
  sig.outputs[1].type.values = {json::value("positive"), json::value("negative")};
  auto messages = JSONAdapter().format(sig, {}, ex(R"({"text": "Looks good"})"));
  EXPECT_EQ(messages[0].content,
            "Your input fields are:\n"
            "1. `text` (str):\n"
            "Your output fields are:\n"
            "1. `decision` (Literal['accept', 'reject']): \n"
            "2. `label` (Label):\n"
            "All interactions will be structured in the following way, with the appropriate "
            "values filled in.\n"
            "\n"
            "Inputs will have the following structure:\n"
            "\n"
            "[[ ## text ## ]]\n"
            "{text}\n"
            "\n"
            "Outputs will be a JSON object with the following fields.\n"
            "\n"
            "{\n"
            "  \"decision\": \"{decision}        # note: the value you produce must exactly match "
            "(no extra characters) one of: accept; reject\",\n"
            "  \"label\": \"{label}        # note: the value you produce must be one of: positive; "
            "negative\"\n"
            "}\n"
            "In adhering to this structure, your objective is: \n"
            "        Given the fields `text`, produce the fields `decision`, `label`.");
  EXPECT_EQ(messages[1].content,
            "[[ ## text ## ]]\n"
            "Looks good\n"
            "\n"
            "Respond with a JSON object in the following order of fields: `decision` (must be "
            "formatted as a valid Python Literal['accept', 'reject']), then `label` (must be "
            "formatted as a valid Python Label).");
}

TEST(JSONAdapter, ExactMessagesWithIncompleteDemo) {
  auto sig = sig_of("question, context -> answer, score: float");
  auto messages = JSONAdapter().format(sig, {ex(R"({"question": "Q1", "answer": "A1"})")},
                                       ex(R"({"question": "Q2", "context": "C2"})"));
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].content,
            "Your input fields are:\n"
            "1. `question` (str): \n"
            "2. `context` (str):\n"
            "Your output fields are:\n"
            "1. `answer` (str): \n"
            "2. `score` (float):\n"
            "All interactions will be structured in the following way, with the appropriate "
            "values filled in.\n"
            "\n"
            "Inputs will have the following structure:\n"
            "\n"
            "[[ ## question ## ]]\n"
            "{question}\n"
            "\n"
            "[[ ## context ## ]]\n"
            "{context}\n"
            "\n"
            "Outputs will be a JSON object with the following fields.\n"
            "\n"
            "{\n"
            "  \"answer\": \"{answer}\",\n"
            "  \"score\": \"{score}        # note: the value you produce must be a single float "
            "value\"\n"
            "}\n"
            "In adhering to this structure, your objective is: \n"
            "        Given the fields `question`, `context`, produce the fields `answer`, "
            "`score`.");
  EXPECT_EQ(messages[1].content,
            "This is an example of the task, though some input or output fields are not "
            "supplied.\n"
            "\n"
            "[[ ## question ## ]]\n"
            "Q1");
  EXPECT_EQ(
      messages[2].content,
      "{\n  \"answer\": \"A1\",\n  \"score\": \"Not supplied for this particular example. \"\n}");
  EXPECT_EQ(messages[3].content,
            "[[ ## question ## ]]\n"
            "Q2\n"
            "\n"
            "[[ ## context ## ]]\n"
            "C2\n"
            "\n"
            "Respond with a JSON object in the following order of fields: `answer`, then `score` "
            "(must be formatted as a valid Python float).");
}

TEST(JSONAdapter, MismatchedFieldsErrorMatchesDspyText) {
  // DSPy's test_json_adapter_parse_raise_error_on_mismatch_fields.
  auto sig = sig_of("question->answer");
  auto r = JSONAdapter().parse(sig, "{'answer1': 'Paris'}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().adapter_name, "JSONAdapter");
  EXPECT_EQ(r.error().lm_response, "{'answer1': 'Paris'}");
  EXPECT_EQ(r.error().message(),
            "Adapter JSONAdapter failed to parse the LM response. \n\n"
            "LM Response: {'answer1': 'Paris'} \n\n"
            "Expected to find output fields in the LM response: [answer] \n\n"
            "Actual output fields parsed from the LM response: [] \n\n");
}

TEST(JSONAdapter, ParsesTypedValuesFromAnObjectInsideText) {
  auto sig = sig_of("question -> answer, confidence: float, tags: list[str]");
  auto r = JSONAdapter().parse(
      sig,
      "Here you go:\n```json\n{\"answer\": \"Paris\", \"confidence\": \"0.75\", "
      "\"tags\": [\"geo\",], \"extra\": 1}\n```");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r.fields().at("answer"), "Paris");
  EXPECT_EQ(r.fields().at("confidence"), 0.75);
  EXPECT_EQ(serialize(r.fields().at("tags")), R"(["geo"])");
  EXPECT_FALSE(r.fields().contains("extra"));
}

TEST(JSONAdapter, NoObjectIsATypedError) {
  auto sig = sig_of("question -> answer");
  auto r = JSONAdapter().parse(sig, "I cannot answer that.");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "LM response cannot be serialized to a JSON object.");
  EXPECT_EQ(r.error().lm_response, "I cannot answer that.");
}

TEST(JSONAdapter, RequestsJsonMode) {
  auto sig = sig_of("question -> answer");
  EXPECT_EQ(serialize(JSONAdapter().request_options(sig)),
            R"({"response_format":{"type":"json_object"}})");
}

}  // namespace
}  // namespace pipeline::dspy
