#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/signature.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

TEST(Signature, InferPrefixMatchesDspy) {
  // DSPy's tests/signatures/test_signature.py::test_infer_prefix.
  EXPECT_EQ(infer_prefix("someAttributeName42IsCool"), "Some Attribute Name 42 Is Cool");
  EXPECT_EQ(infer_prefix("version2Update"), "Version 2 Update");
  EXPECT_EQ(infer_prefix("modelT45Enhanced"), "Model T 45 Enhanced");
  EXPECT_EQ(infer_prefix("someAttributeName"), "Some Attribute Name");
  EXPECT_EQ(infer_prefix("some_attribute_name"), "Some Attribute Name");
  EXPECT_EQ(infer_prefix("URLAddress"), "URL Address");
  EXPECT_EQ(infer_prefix("isHTTPSecure"), "Is HTTP Secure");
  EXPECT_EQ(infer_prefix("isHTTPSSecure123"), "Is HTTPS Secure 123");
}

TEST(Signature, UntypedStringFormGetsStrFieldsAndDefaultInstructions) {
  auto sig = parse_signature_string("question, context -> answer");
  ASSERT_TRUE(sig) << sig.status().message();
  ASSERT_EQ(sig->inputs.size(), 2u);
  EXPECT_EQ(sig->inputs[1].name, "context");
  EXPECT_TRUE(sig->inputs[1].type.is_str());
  EXPECT_EQ(sig->inputs[0].prefix, "Question:");
  EXPECT_EQ(sig->inputs[0].desc, "${question}");
  EXPECT_EQ(sig->instructions,
            "Given the fields `question`, `context`, produce the fields `answer`.");
  EXPECT_EQ(sig->to_string(), "question, context -> answer");
}

TEST(Signature, TypedStringFormWithLiteral) {
  auto sig = parse_signature_string(
      "question: str, k: int -> answers: list[str], confident: bool, verdict: Literal['yes', "
      "'no']");
  ASSERT_TRUE(sig) << sig.status().message();
  EXPECT_EQ(sig->inputs[1].type.annotation_name(), "int");
  EXPECT_EQ(sig->outputs[0].type.annotation_name(), "list[str]");
  EXPECT_EQ(sig->outputs[1].type.annotation_name(), "bool");
  EXPECT_EQ(sig->outputs[2].type.annotation_name(), "Literal['yes', 'no']");
}

TEST(Signature, StringFormErrorsUseDspyWording) {
  auto none = parse_signature_string("question answer");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().message(),
            "Invalid signature format: 'question answer', must contain exactly one '->'.");
  auto dup = parse_signature_string("q, a -> a");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.status().message(),
            "Input and output fields must have distinct names, but found duplicates: 'a'.");
  EXPECT_FALSE(parse_signature_string("q: strng -> a"));
}

TEST(Signature, YamlFormWithTemplatesSchemaAndDspyTypeSpellings) {
  Diagnostics d;
  auto doc = load_yaml_string(R"(signature:
  instructions: Classify the ticket.
  input_fields:
    - {name: ticket, type: string, description: The ticket text, template: "{{inputs.ticket}}"}
  output_fields:
    - {name: label, type: "Literal['bug', 'feature']"}
    - name: tags
      type: list[str]
      schema: {type: array, maxItems: 3}
    - {name: priority, type: enum, values: [low, high], enum_name: Priority}
)",
                              "wf.yaml", d);
  ASSERT_TRUE(doc);
  auto sig = signature_from_yaml((*doc)["signature"], "wf.yaml", d);
  ASSERT_TRUE(sig) << d.format();
  EXPECT_EQ(sig->instructions, "Classify the ticket.");
  EXPECT_EQ(sig->inputs[0].value_template, "{{inputs.ticket}}");
  EXPECT_EQ(sig->inputs[0].shown_description(), "The ticket text");
  EXPECT_EQ(sig->outputs[0].type.annotation_name(), "Literal['bug', 'feature']");
  ASSERT_TRUE(sig->outputs[1].schema);
  EXPECT_EQ(sig->outputs[2].type.annotation_name(), "Priority");
}

TEST(Signature, YamlErrorsCarryFileLineAndColumn) {
  Diagnostics d;
  auto doc = load_yaml_string(R"(signature:
  input_fields:
    - {name: q, type: strng}
    - {type: str}
  output_fields:
    - {name: a, tpye: str}
)",
                              "wf.yaml", d);
  ASSERT_TRUE(doc);
  auto sig = signature_from_yaml((*doc)["signature"], "wf.yaml", d);
  EXPECT_FALSE(sig);
  std::string text = d.format();
  EXPECT_NE(text.find("wf.yaml:3:23: error: field 'q': invalid type 'strng'"), std::string::npos)
      << text;
  EXPECT_NE(text.find("wf.yaml:4:7: error: input_fields: a field needs a `name`"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("wf.yaml:6:17: error: output_fields: unknown key 'tpye'"), std::string::npos)
      << text;
}

TEST(Signature, HashIsStableAndChangesWithMeaning) {
  auto a = parse_signature_string("question -> answer");
  auto b = parse_signature_string("question -> answer");
  auto c = parse_signature_string("question -> answer: int");
  EXPECT_EQ(a->hash(), b->hash());
  EXPECT_EQ(a->hash().size(), 64u);
  EXPECT_NE(a->hash(), c->hash());
  auto with_instr = parse_signature_string("question -> answer", "Answer briefly.");
  EXPECT_NE(a->hash(), with_instr->hash());
  EXPECT_EQ(
      canonical_json(a->canonical()),
      R"({"inputs":[{"desc":"${question}","name":"question","type":"str"}],"instructions":"Given the fields `question`, produce the fields `answer`.","outputs":[{"desc":"${answer}","name":"answer","type":"str"}]})");
}

}  // namespace
}  // namespace pipeline::dspy
