// A DSPy signature: input and output fields with types, and the instructions. Built from a step's
// `signature:` YAML or from DSPy's string form; its hash keys the optimization cache.
//
//   auto sig = parse_signature_string("question: str, k: int -> answers: list[str]");
//   auto sig2 = signature_from_json(step.raw.at("signature"), step.source.child("signature"),
//   diags); sig->hash();   // sha256 of the canonical JSON of instructions and fields
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/source_map.hpp>
#include <pipeline/dspy/field_type.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::dspy {

struct Field {
  std::string name;
  FieldType type;
  // DSPy's `desc`; "${name}" when none was given (DSPy's placeholder, shown as no description).
  std::string desc;
  // DSPy's `prefix` ("Question:"), kept for programs saved by DSPy.
  std::string prefix;
  // Input fields: where a run takes the value from ("{{inputs.ticket}}"); empty = inputs.<name>.
  std::string value_template;
  // Output fields: a JSON Schema the parsed value must satisfy.
  std::optional<json::value> schema;
  SourceLocation where;

  // The description DSPy shows: empty while desc is the "${name}" placeholder.
  std::string shown_description() const;
};

// A field with DSPy's defaults: str, desc "${name}", prefix infer_prefix(name) + ":".
Field make_field(std::string name, FieldType type = FieldType::str());

struct Signature {
  std::string instructions;
  std::vector<Field> inputs;
  std::vector<Field> outputs;

  // {"instructions", "inputs": [{name, type, desc, schema}], "outputs": [...]}; the order of
  // fields is part of the meaning (DSPy renders and saves them by position).
  json::value canonical() const;
  // sha256 hex of canonical_json(canonical()).
  std::string hash() const;
  const Field* output(std::string_view name) const;
  const Field* input(std::string_view name) const;
  std::size_t field_count() const { return inputs.size() + outputs.size(); }
  // "question, context -> answer"
  std::string to_string() const;
};

// DSPy's infer_prefix: "camelCaseText" -> "Camel Case Text", "snake_case" -> "Snake Case".
std::string infer_prefix(std::string_view name);

// "Given the fields `a`, `b`, produce the fields `c`." (DSPy's default instructions)
std::string default_instructions(const Signature& sig);

// DSPy's string form, typed or not: "question, context -> answer",
// "question: str, k: int -> answers: list[str], confident: bool". Without instructions the
// signature gets DSPy's default ones.
Result<Signature> parse_signature_string(std::string_view text,
                                         std::optional<std::string> instructions = std::nullopt);

// A step's `signature:`: either the string form, or a map {instructions, input_fields: [{name,
// type, description, template, prefix}], output_fields: [{name, type, description, schema,
// prefix}]}. Every problem goes to diags with file:line:col; nullopt when there were errors.
std::optional<Signature> signature_from_json(const json::value& node, const SourceRef& at,
                                             Diagnostics& diags);
// The same, straight from a YAML node (tests, tools that hold YAML).
std::optional<Signature> signature_from_yaml(const YAML::Node& node, const std::string& file,
                                             Diagnostics& diags);

}  // namespace pipeline::dspy
