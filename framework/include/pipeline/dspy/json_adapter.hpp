// DSPy's JSONAdapter: inputs as in ChatAdapter, outputs as one JSON object. Also the adapter DSPy
// falls back to when a ChatAdapter reply does not parse.
//
//   JSONAdapter js;  auto msgs = js.format(sig, demos, inputs);  auto out = js.parse(sig, reply);
#pragma once

#include <pipeline/dspy/adapter.hpp>

namespace pipeline::dspy {

class JSONAdapter : public Adapter {
 public:
  std::string_view name() const override { return "JSONAdapter"; }
  std::string format_field_structure(const Signature& sig) const override;
  std::string user_message_output_requirements(const Signature& sig) const override;
  std::string format_assistant_message_content(const Signature& sig, const Example& outputs,
                                               const std::string& missing) const override;
  ParseResult parse(const Signature& sig, std::string_view completion) const override;
  // {"response_format": {"type": "json_object"}}: DSPy's JSON mode, which it uses whenever it
  // cannot send a structured-output schema.
  json::object request_options(const Signature& sig) const override;
};

}  // namespace pipeline::dspy
