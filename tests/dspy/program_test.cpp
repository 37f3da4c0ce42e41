#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/program.hpp>
#include <pipeline/dspy/python_text.hpp>
#include <pipeline/sdk/file_reader.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace pipeline::dspy {
namespace {

const std::filesystem::path kReact =
    std::filesystem::path(PIPELINE_SOURCE_DIR) / "tests/dspy/fixtures/saved_program_react.json";

TEST(Program, LoadsDspysSavedReactProgram) {
  auto prog = Program::load_file(kReact);
  ASSERT_TRUE(prog) << prog.status().message();
  ASSERT_EQ(prog->predictors().size(), 2u);
  const auto* react = prog->find("react");
  ASSERT_NE(react, nullptr);
  EXPECT_FALSE(react->not_runnable.empty());
  EXPECT_EQ(react->fields.size(), 5u);
  const auto* extract = prog->find("extract.predict");
  ASSERT_NE(extract, nullptr);
  EXPECT_TRUE(extract->not_runnable.empty());
  EXPECT_EQ(extract->instructions,
            "Given the very verbose fields `question`, produce the fields `answer`.");
  ASSERT_EQ(extract->fields.size(), 4u);
  EXPECT_EQ(extract->fields[2].prefix, "Reasoning: Let's think step by step in order to");
  EXPECT_EQ(extract->demos.size(), 2u);
  EXPECT_EQ(prog->metadata().at("dependency_versions").at("dspy"), "3.0.0");
}

TEST(Program, ChoosesTheOnlyRunnablePredictorAndRefusesReact) {
  auto prog = Program::load_file(kReact);
  auto chosen = choose_predictor(*prog, "");
  ASSERT_TRUE(chosen);
  EXPECT_EQ((*chosen)->name, "extract.predict");
  auto react = choose_predictor(*prog, "react");
  ASSERT_FALSE(react);
  EXPECT_NE(react.status().message().find("not runnable"), std::string::npos);
  auto none = choose_predictor(*prog, "nope");
  ASSERT_FALSE(none);
  EXPECT_NE(none.status().message().find("react (not runnable), extract.predict"),
            std::string::npos);
}

TEST(Program, BindsByPositionAddingReasoningForAChainOfThoughtPredictor) {
  auto prog = Program::load_file(kReact);
  auto sig = parse_signature_string("question, trajectory -> answer");
  auto bound = bind_predictor(*prog->find("extract.predict"), *sig, false);
  ASSERT_TRUE(bound) << bound.status().message();
  EXPECT_TRUE(bound->chain_of_thought);
  ASSERT_EQ(bound->signature.outputs.size(), 2u);
  EXPECT_EQ(bound->signature.outputs[0].name, "reasoning");
  EXPECT_EQ(bound->signature.outputs[0].prefix, "Reasoning: Let's think step by step in order to");
  EXPECT_EQ(bound->signature.instructions,
            "Given the very verbose fields `question`, produce the fields `answer`.");
}

TEST(Program, FieldCountMismatchIsAClearError) {
  auto prog = Program::load_file(kReact);
  auto sig = parse_signature_string("question -> answer");
  auto bound = bind_predictor(*prog->find("extract.predict"), *sig, false);
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.status().message(),
            "predictor 'extract.predict' has 4 fields (Question:, Trajectory:, Reasoning: Let's "
            "think step by "
            "step in order to, Answer:) but the step's signature has 2 (question -> answer); DSPy "
            "saves fields "
            "by position, so the counts must match");
}

TEST(Program, BoundPredictorRendersIncompleteDemosFirst) {
  auto prog = Program::load_file(kReact);
  auto sig = parse_signature_string("question, trajectory -> answer");
  auto bound = bind_predictor(*prog->find("extract.predict"), *sig, false);
  json::object inputs{{"question", "Q?"}, {"trajectory", "T"}};
  auto messages = ChatAdapter().format(bound->signature, bound->demos, inputs);
  ASSERT_EQ(messages.size(), 6u);
  EXPECT_EQ(
      messages[1].content,
      "This is an example of the task, though some input or output fields are not supplied.\n\n"
      "[[ ## question ## ]]\nAre Smyrnium and Nymania both types of plant?");
  EXPECT_EQ(messages[2].content,
            "[[ ## reasoning ## ]]\nNot supplied for this particular example. \n\n[[ ## answer ## "
            "]]\nyes\n\n"
            "[[ ## completed ## ]]\n");
  EXPECT_EQ(
      messages[3].content.rfind("[[ ## question ## ]]\nThat Darn Cat! and Never a Dull Moment", 0),
      0u);
  EXPECT_EQ(messages[4].content,
            "[[ ## reasoning ## ]]\nBoth \"That Darn Cat!\" and \"Never a Dull Moment\" were "
            "produced by Walt "
            "Disney Productions, as confirmed by the information retrieved from Wikipedia.\n\n[[ "
            "## answer ## "
            "]]\nWalt Disney Productions\n\n[[ ## completed ## ]]\n");
}

TEST(Program, RoundTripIsTheSameJsonApartFromMetadata) {
  auto original = parse_json(read_input_file(kReact).data);
  ASSERT_TRUE(original);
  auto prog = Program::from_json(*original, "fixture");
  ASSERT_TRUE(prog);
  json::value again = prog->to_json();
  json::object a = original->as_object(), b = again.as_object();
  a.erase("metadata");
  b.erase("metadata");
  EXPECT_EQ(json::value(a), json::value(b));
  EXPECT_EQ(again.at("metadata").at("dependency_versions").at("dspy"), kDspyVersion);

  auto file = std::filesystem::temp_directory_path() /
              ("pipeline-program-" + std::to_string(::getpid()) + ".json");
  ASSERT_TRUE(prog->save_file(file).ok());
  auto reloaded = Program::load_file(file);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->to_json(), again);
  std::filesystem::remove(file);
}

TEST(Program, ProgramFromASignatureSavesInDspysShape) {
  auto sig = parse_signature_string("question -> answer");
  Program prog =
      Program::from_signature(*sig, {json::object{{"question", "1+1?"}, {"answer", "2"}}});
  EXPECT_EQ(
      python_json_dumps(prog.to_json()),
      R"({"self": {"traces": [], "train": [], "demos": [{"question": "1+1?", "answer": "2"}], "signature": )"
      R"({"instructions": "Given the fields `question`, produce the fields `answer`.", "fields": [{"prefix": )"
      R"("Question:", "description": "${question}"}, {"prefix": "Answer:", "description": "${answer}"}]}, )"
      R"("lm": null}, "metadata": {"dependency_versions": {"dspy": "3.3.1"}}})");
}

TEST(Program, MalformedProgramsAreRefusedWithTheirName) {
  auto r = Program::from_json(parse_json(R"({"p": {"signature": {"instructions": "x"}}})").value(),
                              "f.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(), "f.json: predictor 'p': `signature.fields` must be a list");
  EXPECT_FALSE(Program::from_json(parse_json("[]").value(), "f.json"));
}

}  // namespace
}  // namespace pipeline::dspy
