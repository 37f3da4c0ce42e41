// DSPy's ChatAdapter: fields delimited by `[[ ## name ## ]]` headers, ending with
// `[[ ## completed ## ]]`. Renders the same messages as DSPy 3.3 and parses replies the same way.
//
//   ChatAdapter chat;  auto msgs = chat.format(sig, demos, inputs);  auto out = chat.parse(sig,
//   reply);
#pragma once

#include <pipeline/dspy/adapter.hpp>

namespace pipeline::dspy {

class ChatAdapter : public Adapter {
 public:
  std::string_view name() const override { return "ChatAdapter"; }
  std::string format_field_structure(const Signature& sig) const override;
  std::string user_message_output_requirements(const Signature& sig) const override;
  std::string format_assistant_message_content(const Signature& sig, const Example& outputs,
                                               const std::string& missing) const override;
  ParseResult parse(const Signature& sig, std::string_view completion) const override;
};

}  // namespace pipeline::dspy
