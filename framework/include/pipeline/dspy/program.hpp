// A program in the JSON that DSPy's `program.save("x.json")` writes: one entry per predictor
// ({traces, train, demos, signature: {instructions, fields: [{prefix, description}]}, lm}) plus
// `metadata`. DSPy stores fields by position without names, so a predictor binds to a step's
// signature by position.
//
//   auto prog = Program::load_file("optimized.json");
//   auto bound = bind_predictor(*prog->find("extract.predict"), step_signature, false);
//   prog->save_file("copy.json");   // same JSON apart from metadata
#pragma once

#include <pipeline/dspy/adapter.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::dspy {

// The DSPy version whose save() format and prompts this layer follows.
inline constexpr const char* kDspyVersion = "3.3.1";

struct SavedField {
  std::string prefix;
  std::string description;
};

struct Predictor {
  std::string name;  // "extract.predict", "self", "predict"
  std::string instructions;
  std::vector<SavedField> fields;
  std::vector<Example> demos;
  // Why it cannot run here (empty when it can): ReAct's tool loop needs tools we do not have.
  std::string not_runnable;
  json::object state;  // everything DSPy saved for it, so unknown members survive a round trip
};

class Program {
 public:
  static Result<Program> from_json(const json::value& doc, const std::string& source);
  static Result<Program> load_file(const std::filesystem::path& file);
  // A one-predictor program (DSPy's Predict saves as "self", ChainOfThought as "predict").
  static Program from_signature(const Signature& sig, const std::vector<Example>& demos,
                                const std::string& predictor_name = "self");

  // The document DSPy writes; metadata says which DSPy format it follows.
  json::value to_json() const;
  // Pretty-printed like DSPy's orjson (2-space indent, trailing newline), written atomically.
  Status save_file(const std::filesystem::path& file) const;

  const std::vector<Predictor>& predictors() const { return predictors_; }
  std::vector<Predictor>& predictors() { return predictors_; }
  const Predictor* find(std::string_view name) const;
  const json::object& metadata() const { return metadata_; }

 private:
  std::vector<Predictor> predictors_;
  json::object metadata_;
};

// A predictor applied to a step's signature: instructions, prefixes and descriptions from the
// file, names and types from the step. With `chain_of_thought`, or when the file has exactly one
// field more than the signature and it is a reasoning field right after the inputs, the
// signature gains DSPy's `reasoning` output.
struct BoundPredictor {
  Signature signature;
  std::vector<Example> demos;
  std::string predictor;
  bool chain_of_thought = false;
};

Result<BoundPredictor> bind_predictor(const Predictor& p, const Signature& step_signature,
                                      bool chain_of_thought);

// The predictor to use: `name` when given, else the only runnable one (an error names them all).
Result<const Predictor*> choose_predictor(const Program& program, const std::string& name);

}  // namespace pipeline::dspy
