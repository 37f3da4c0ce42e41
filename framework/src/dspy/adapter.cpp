#include <pipeline/dspy/adapter.hpp>

#include <pipeline/dspy/json_schema.hpp>
#include <pipeline/dspy/python_text.hpp>

#include <algorithm>

namespace pipeline::dspy {

namespace {

// _format_blob: one item of a numbered list, fenced when it could be confused with the list.
std::string format_blob(const std::string& blob) {
  if (blob.find('\n') == std::string::npos && blob.find("«") == std::string::npos &&
      blob.find("»") == std::string::npos)
    return "«" + blob + "»";
  std::string modified;
  for (char c : blob) {
    modified += c;
    if (c == '\n') modified += "    ";
  }
  return "«««\n    " + modified + "\n»»»";
}

std::string format_input_list(const json::array& items) {
  if (items.empty()) return "N/A";
  if (items.size() == 1) return format_blob(python_str(items[0]));
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += '\n';
    out += "[" + std::to_string(i + 1) + "] " + format_blob(python_str(items[i]));
  }
  return out;
}

// get_field_description_string: "1. `name` (type): description", one per line.
std::string field_descriptions(const std::vector<Field>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += '\n';
    out += std::to_string(i + 1) + ". `" + fields[i].name + "` (" +
           fields[i].type.annotation_name() + "): " + fields[i].shown_description();
  }
  return std::string(python_strip(out));
}

bool present(const Example& e, const std::string& key) {
  return e.contains(key);
}

bool present_not_null(const Example& e, const std::string& key) {
  const auto* v = e.if_contains(key);
  return v && !v->is_null();
}

}  // namespace

std::string AdapterParseError::message() const {
  std::string m = detail.empty() ? "" : detail + "\n\n";
  auto join = [](const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
  };
  m += "Adapter " + adapter_name +
       " failed to parse the LM response. \n\nLM Response: " + lm_response +
       " \n\nExpected to find output fields in the LM response: [" + join(expected_fields) +
       "] \n\n";
  if (parsed_fields)
    m += "Actual output fields parsed from the LM response: [" + join(*parsed_fields) + "] \n\n";
  return m;
}

std::string format_field_value(const Field& field, const json::value& value) {
  if (value.is_array() && field.type.is_str()) return format_input_list(value.get_array());
  if (value.is_array() || value.is_object()) return python_json_dumps(value);
  return python_str(value);
}

std::string translate_field_type(const Field& field, bool is_output) {
  using K = FieldType::Kind;
  const FieldType& t = field.type;
  std::string desc;
  if (!is_output || t.kind == K::kStr) {
    desc = "";
  } else if (t.kind == K::kBool) {
    desc = "must be True or False";
  } else if (t.kind == K::kInt) {
    desc = "must be a single int value";
  } else if (t.kind == K::kFloat) {
    desc = "must be a single float value";
  } else if (t.kind == K::kEnum) {
    std::string vals;
    for (std::size_t i = 0; i < t.values.size(); ++i)
      vals += (i ? "; " : "") + python_str(t.values[i]);
    desc = "must be one of: " + vals;
  } else if (t.kind == K::kLiteral) {
    std::string vals;
    for (std::size_t i = 0; i < t.values.size(); ++i)
      vals += (i ? "; " : "") + python_str(t.values[i]);
    desc = "must exactly match (no extra characters) one of: " + vals;
  } else {
    // A field's own schema says more than its type, so it is the one shown.
    json::value schema = field.schema ? schema_type_first(*field.schema) : t.json_schema();
    desc = "must adhere to the JSON schema: " + python_json_dumps(schema);
  }
  std::string out = "{" + field.name + "}";
  if (!desc.empty()) out += std::string(8, ' ') + "# note: the value you produce " + desc;
  return out;
}

std::string format_fields_with_values(
    const std::vector<std::pair<const Field*, std::string>>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += "\n\n";
    out += "[[ ## " + items[i].first->name + " ## ]]\n" + items[i].second;
  }
  return std::string(python_strip(out));
}

std::optional<std::string> schema_problem(const Field& field, const json::value& value) {
  if (!field.schema) return std::nullopt;
  return json_schema_violation(*field.schema, value);
}

json::object Adapter::request_options(const Signature&) const {
  return {};
}

std::string Adapter::format_field_description(const Signature& sig) const {
  return "Your input fields are:\n" + field_descriptions(sig.inputs) +
         "\nYour output fields are:\n" + field_descriptions(sig.outputs);
}

std::string Adapter::format_task_description(const Signature& sig) const {
  // textwrap.dedent turns whitespace-only lines into empty ones; each line is then indented by 8.
  std::string objective;
  for (const auto& line : python_splitlines(sig.instructions)) {
    bool blank =
        std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
    objective += "\n" + std::string(8, ' ') + (blank ? std::string() : line);
  }
  return "In adhering to this structure, your objective is: " + objective;
}

std::string Adapter::format_system_message(const Signature& sig) const {
  return format_field_description(sig) + "\n" + format_field_structure(sig) + "\n" +
         format_task_description(sig);
}

std::string Adapter::format_user_message_content(const Signature& sig, const Example& inputs,
                                                 std::string_view prefix, bool main_request) const {
  std::string out(prefix);
  for (const auto& f : sig.inputs) {
    const auto* v = inputs.if_contains(f.name);
    if (!v) continue;
    out += "\n\n[[ ## " + f.name + " ## ]]\n" + format_field_value(f, *v);
  }
  if (main_request) out += "\n\n" + user_message_output_requirements(sig);
  out += "\n\n";  // the empty suffix DSPy joins in
  return std::string(python_strip(out));
}

std::vector<Message> Adapter::format_demos(const Signature& sig,
                                           const std::vector<Example>& demos) const {
  std::vector<const Example*> complete, incomplete;
  for (const auto& demo : demos) {
    bool is_complete = true;
    for (const auto* list : {&sig.inputs, &sig.outputs})
      for (const auto& f : *list) is_complete = is_complete && present_not_null(demo, f.name);
    bool has_input = std::any_of(sig.inputs.begin(), sig.inputs.end(),
                                 [&](const Field& f) { return present(demo, f.name); });
    bool has_output = std::any_of(sig.outputs.begin(), sig.outputs.end(),
                                  [&](const Field& f) { return present(demo, f.name); });
    if (is_complete)
      complete.push_back(&demo);
    else if (has_input && has_output)
      incomplete.push_back(&demo);
  }
  std::vector<Message> messages;
  // DSPy puts the incomplete demos before the complete ones.
  for (const auto* demo : incomplete) {
    messages.push_back(
        {"user",
         format_user_message_content(
             sig, *demo,
             "This is an example of the task, though some input or output fields are not supplied.",
             false)});
    messages.push_back(
        {"assistant", format_assistant_message_content(
                          sig, *demo, "Not supplied for this particular example. ")});
  }
  for (const auto* demo : complete) {
    messages.push_back({"user", format_user_message_content(sig, *demo, "", false)});
    messages.push_back(
        {"assistant", format_assistant_message_content(
                          sig, *demo, "Not supplied for this conversation history message. ")});
  }
  return messages;
}

std::vector<Message> Adapter::format(const Signature& sig, const std::vector<Example>& demos,
                                     const Example& inputs) const {
  std::vector<Message> messages;
  messages.push_back({"system", format_system_message(sig)});
  auto demo_messages = format_demos(sig, demos);
  messages.insert(messages.end(), demo_messages.begin(), demo_messages.end());
  std::string content = format_user_message_content(sig, inputs, "", true);
  if (!content.empty()) messages.push_back({"user", std::move(content)});
  return messages;
}

}  // namespace pipeline::dspy
