// LLM step types: `claude` and `gemini`. Each renders its provider request from the step's
// options and calls the provider through the host's completion service, so caching, fallback and
// metrics apply; the step never talks to a provider plugin directly.
#include "llm_request.hpp"

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace {

using RequestBuilder = json::object (*)(const json::object&);

class LlmStep : public pipeline::sdk::Step {
 public:
  LlmStep(const pl_host_api* host, std::string_view config, RequestBuilder build)
      : Step(host, config), build_(build) {}

  std::string execute(const CallContext& ctx, std::string_view input_json) override {
    json::value input = json::parse(input_json);
    const json::object& in = input.as_object();
    json::object request = build_(in);
    auto r = host().complete(ctx, json::serialize(request));
    if (!r.ok()) throw Error(r.status, r.error.empty() ? "completion failed" : r.error);
    json::value response = json::parse(r.body);
    std::string provider;
    if (auto* p = in.if_contains("provider"); p && p->is_string()) provider = p->get_string();
    json::object out;
    out["output"] = llm_steps::step_result(response.as_object(), provider);
    return json::serialize(out);
  }

 private:
  RequestBuilder build_;
};

class ClaudeStep : public LlmStep {
 public:
  ClaudeStep(const pl_host_api* h, std::string_view c) : LlmStep(h, c, &llm_steps::claude_request) {}
};

class GeminiStep : public LlmStep {
 public:
  GeminiStep(const pl_host_api* h, std::string_view c) : LlmStep(h, c, &llm_steps::gemini_request) {}
};

}  // namespace

PIPELINE_PLUGIN("llm_steps", "1.0.0", "LLM step types: claude, gemini") {
  r.add_step<ClaudeStep>("claude", "1.0.0", PL_FLAG_CONCURRENT, "A Claude prompt step");
  r.add_step<GeminiStep>("gemini", "1.0.0", PL_FLAG_CONCURRENT, "A Gemini prompt step");
}
