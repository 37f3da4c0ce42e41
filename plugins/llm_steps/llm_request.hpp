// Turns a claude / gemini step (its options and workflow defaults) into the provider request JSON
// of docs/abi.md, and a provider response into the step's result.
#pragma once

#include <boost/json.hpp>

namespace llm_steps {

// input: the host's step input document (step, defaults, prompt_text, provider).
boost::json::object claude_request(const boost::json::object& input);
boost::json::object gemini_request(const boost::json::object& input);

// The step result pipeline_ex users read: {success, text, model, tokens, cost_usd, provider}.
boost::json::object step_result(const boost::json::object& response, const std::string& provider);

// Members of `over` replace those of `base` (one level deep).
boost::json::object merged(const boost::json::value* base, const boost::json::value* over);

}  // namespace llm_steps
