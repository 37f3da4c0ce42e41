#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace llm_steps {

namespace {

// The first JSON object or array in the reply (providers in JSON mode may still wrap it).
json::value parse_reply(const std::string& text) {
  boost::system::error_code ec;
  json::value v = pipeline::sdk::parse_json(text, ec);
  if (!ec) return v;
  auto b = text.find('{'), e = text.rfind('}');
  if (b != std::string::npos && e != std::string::npos && e > b) {
    v = pipeline::sdk::parse_json(text.substr(b, e - b + 1), ec);
    if (!ec) return v;
  }
  return nullptr;
}

}  // namespace

std::string InstructorStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value parsed = pipeline::sdk::parse_json(input_json);
  const json::object& input = parsed.as_object();
  const json::object& step = input.at("step").as_object();
  json::object catalog;
  // The workflow's `gemini_functions:` section reaches steps as input.workflow.sections.
  if (auto* w = input.if_contains("workflow"); w && w->is_object()) {
    if (auto* secs = w->get_object().if_contains("sections"); secs && secs->is_object()) {
      if (auto* f = secs->get_object().if_contains("gemini_functions"); f && f->is_object())
        catalog = f->get_object();
    }
  }
  // Functions become tools (tool mode) and, for the first, the JSON schema of the reply.
  json::array tools;
  json::value schema;
  if (auto* fns = step.if_contains("functions"); fns && fns->is_array()) {
    for (const auto& f : fns->get_array()) {
      if (!f.is_string()) continue;
      auto* def = catalog.if_contains(f.get_string());
      if (def == nullptr || !def->is_object()) {
        throw Error(PL_NOT_FOUND, "gemini_instructor: function '" + std::string(f.get_string()) +
                                      "' is not defined in workflow.gemini_functions");
      }
      json::object tool{{"name", f}};
      if (auto* d = def->get_object().if_contains("description")) tool["description"] = *d;
      if (auto* p = def->get_object().if_contains("parameters")) {
        tool["parameters"] = *p;
        if (schema.is_null()) schema = *p;
      }
      tools.push_back(std::move(tool));
    }
  }
  if (auto* s = step.if_contains("response_schema"); s && schema.is_null()) schema = *s;
  json::object request = gemini_request(input);
  request["response_format"] = "json";
  if (!schema.is_null()) request["json_schema"] = schema;
  if (!tools.empty()) {
    request["tools"] = tools;
    request["tool_choice"] = tools[0].as_object()["name"];
  }
  json::object result = step_result(complete(host(), ctx, request), provider_of(input));
  json::value data = parse_reply(std::string(result["text"].as_string()));
  if (data.is_null()) {
    throw Error(PL_INVALID_ARGUMENT,
                "gemini_instructor: the reply is not JSON structured output: " +
                    std::string(result["text"].as_string()).substr(0, 200));
  }
  // Required fields the model left out are reported, not invented.
  json::array missing;
  if (schema.is_object() && data.is_object()) {
    if (auto* req = schema.get_object().if_contains("required"); req && req->is_array()) {
      for (const auto& r : req->get_array()) {
        if (r.is_string() && !data.get_object().contains(r.get_string())) missing.push_back(r);
      }
    }
  }
  result["data"] = data;
  if (!tools.empty()) result["function"] = tools[0].as_object()["name"];
  if (!missing.empty()) result["missing_required"] = std::move(missing);
  if (data.is_object()) {
    for (const auto& kv : data.get_object()) {
      if (!result.contains(kv.key())) result[kv.key()] = kv.value();
    }
  }
  return json::serialize(json::object{{"output", std::move(result)}});
}

std::string InstructorStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  json::array d;
  require_prompt(v.as_object(), d);
  if (auto* f = v.as_object().if_contains("functions"); f && !f->is_array()) {
    add_diag(d, "functions", "functions must be a list of gemini_functions names");
  }
  return json::serialize(d);
}

}  // namespace llm_steps
