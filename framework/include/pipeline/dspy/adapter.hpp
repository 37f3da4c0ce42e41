// What DSPy's adapters have in common: the messages for a signature, its demos and the current
// inputs (system message, demos as user/assistant turns, the final user turn), and parsing a reply
// back into typed output values. ChatAdapter and JSONAdapter fill in the parts that differ.
//
//   ChatAdapter chat;
//   auto messages = chat.format(sig, demos, {{"question", "What is 2+2?"}});
//   auto parsed = chat.parse(sig, reply_text);
//   if (!parsed) parsed.error().lm_response;   // the raw reply, never an empty field
#pragma once

#include <pipeline/dspy/signature.hpp>
#include <pipeline/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pipeline::dspy {

struct Message {
  std::string role;  // system | user | assistant
  std::string content;
  friend bool operator==(const Message&, const Message&) = default;
};

// A demo or an input set: field name -> value (extra keys such as "augmented" are ignored).
using Example = json::object;

// DSPy's AdapterParseError: the reply did not give every output field, or a field's value did not
// fit its type or schema.
struct AdapterParseError {
  std::string adapter_name;  // "ChatAdapter" | "JSONAdapter"
  std::string lm_response;   // the raw reply
  std::string detail;        // e.g. "Failed to parse field answer with value ..."
  std::vector<std::string> expected_fields;
  std::optional<std::vector<std::string>> parsed_fields;  // when a partial result exists
  // The message text DSPy's AdapterParseError carries.
  std::string message() const;
};

class ParseResult {
 public:
  ParseResult(json::object fields) : v_(std::move(fields)) {}     // NOLINT: implicit by design
  ParseResult(AdapterParseError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<json::object>(v_); }
  explicit operator bool() const { return ok(); }
  const json::object& fields() const { return std::get<json::object>(v_); }
  json::object& fields() { return std::get<json::object>(v_); }
  const AdapterParseError& error() const { return std::get<AdapterParseError>(v_); }

 private:
  std::variant<json::object, AdapterParseError> v_;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;

  // Adapter.format(): system message, demos (incomplete ones first, as DSPy orders them), then
  // the current inputs with the output-field reminder.
  std::vector<Message> format(const Signature& sig, const std::vector<Example>& demos,
                              const Example& inputs) const;
  std::string format_system_message(const Signature& sig) const;
  std::string format_field_description(const Signature& sig) const;
  std::string format_task_description(const Signature& sig) const;
  std::string format_user_message_content(const Signature& sig, const Example& inputs,
                                          std::string_view prefix, bool main_request) const;
  std::vector<Message> format_demos(const Signature& sig, const std::vector<Example>& demos) const;

  virtual std::string format_field_structure(const Signature& sig) const = 0;
  virtual std::string user_message_output_requirements(const Signature& sig) const = 0;
  // `missing` stands in for an output the demo does not have.
  virtual std::string format_assistant_message_content(const Signature& sig, const Example& outputs,
                                                       const std::string& missing) const = 0;
  virtual ParseResult parse(const Signature& sig, std::string_view completion) const = 0;
  // Extra request members the adapter asks the provider for (JSON mode for JSONAdapter).
  virtual json::object request_options(const Signature& sig) const;
};

// format_field_value: lists for str fields as a numbered «blob» list, dicts and lists as JSON,
// everything else as Python's str() prints it.
std::string format_field_value(const Field& field, const json::value& value);

// translate_field_type: "{name}" plus, for typed outputs, DSPy's "# note: ..." hint.
std::string translate_field_type(const Field& field, bool is_output);

// "[[ ## a ## ]]\n<value>\n\n[[ ## b ## ]]\n<value>" for ChatAdapter's layout.
std::string format_fields_with_values(
    const std::vector<std::pair<const Field*, std::string>>& items);

// Checks a parsed field against its schema (when it has one); the problem text otherwise.
std::optional<std::string> schema_problem(const Field& field, const json::value& value);

}  // namespace pipeline::dspy
