// The simulated model's reply in the format the prompt asked for: the ChatAdapter's
// `[[ ## field ## ]]\nvalue\n\n...[[ ## completed ## ]]`, or for the JSONAdapter one JSON object
// with the output fields in order (a value of a non-str field that reads as JSON is given as
// that JSON, so `0.5` is a number).
//
//   std::string text = adapter_reply(prompt, outputs);
#pragma once

#include "dspy_prompt.hpp"

#include <boost/json.hpp>

#include <string>

namespace pipeline::mock {

std::string adapter_reply(const DspyPrompt& prompt, const boost::json::object& outputs);

}  // namespace pipeline::mock
