// LLM step types: claude, gemini, claude_smart, claude_session, claude_extract, claude_batch,
// claude_robust, parallel_claude, gemini_instructor.
#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace llm_steps {

json::object complete(const pipeline::sdk::Host& host, const CallContext& ctx,
                      const json::object& request) {
  auto r = host.complete(ctx, json::serialize(request));
  if (!r.ok()) throw Error(r.status, r.error.empty() ? "completion failed" : r.error);
  json::value response = json::parse(r.body);
  if (!response.is_object()) throw Error(PL_INTERNAL, "completion response is not an object");
  return std::move(response.get_object());
}

std::string provider_of(const json::object& input) {
  auto* p = input.if_contains("provider");
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}

std::string LlmStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value input = json::parse(input_json);
  json::object in = presets_ ? with_preset(input.as_object()) : input.as_object();
  json::object out;
  json::object result = step_result(complete(host(), ctx, build_(in)), provider_of(in));
  if (presets_) {
    if (auto p = preset_for(in); !p.empty()) result["preset"] = p;
  }
  out["output"] = std::move(result);
  return json::serialize(out);
}

std::string LlmStep::validate(std::string_view step_json) {
  json::value v = json::parse(step_json);
  json::array d;
  if (build_ == &claude_request) check_claude_options(v.as_object(), d);
  return json::serialize(d);
}

namespace {

class ClaudeStep : public LlmStep {
 public:
  ClaudeStep(const pl_host_api* h, std::string_view c) : LlmStep(h, c, &claude_request, false) {}
};
class GeminiStep : public LlmStep {
 public:
  GeminiStep(const pl_host_api* h, std::string_view c) : LlmStep(h, c, &gemini_request, false) {}
};
class ClaudeSmartStep : public LlmStep {
 public:
  ClaudeSmartStep(const pl_host_api* h, std::string_view c)
      : LlmStep(h, c, &claude_request, true) {}
};
class ClaudeBatchStep : public MultiTaskStep {
 public:
  ClaudeBatchStep(const pl_host_api* h, std::string_view c) : MultiTaskStep(h, c, true) {}
};
class ParallelClaudeStep : public MultiTaskStep {
 public:
  ParallelClaudeStep(const pl_host_api* h, std::string_view c) : MultiTaskStep(h, c, false) {}
};

}  // namespace

}  // namespace llm_steps

PIPELINE_PLUGIN("llm_steps", "1.1.0", "LLM step types of pipeline_ex") {
  using namespace llm_steps;
  r.add_step<ClaudeStep>("claude", "1.0.0", PL_FLAG_CONCURRENT, "A Claude prompt step");
  r.add_step<GeminiStep>("gemini", "1.0.0", PL_FLAG_CONCURRENT, "A Gemini prompt step");
  r.add_step<ClaudeSmartStep>(
      "claude_smart", "1.0.0", PL_FLAG_CONCURRENT,
      "Claude with presets (development, production, analysis, chat, test)");
  r.add_step<SessionStep>("claude_session", "1.0.0", PL_FLAG_CONCURRENT,
                          "Claude conversation that persists across steps and runs");
  r.add_step<ExtractStep>("claude_extract", "1.0.0", PL_FLAG_CONCURRENT,
                          "Claude with content extraction and post-processing");
  r.add_step<ClaudeBatchStep>("claude_batch", "1.0.0", PL_FLAG_CONCURRENT,
                              "Several Claude tasks in parallel");
  r.add_step<RobustStep>("claude_robust", "1.0.0", PL_FLAG_CONCURRENT,
                         "Claude with retries, backoff and fallback actions");
  r.add_step<ParallelClaudeStep>("parallel_claude", "1.0.0", PL_FLAG_CONCURRENT,
                                 "Claude tasks in parallel, combined and individual results");
  r.add_step<InstructorStep>("gemini_instructor", "1.0.0", PL_FLAG_CONCURRENT,
                             "Gemini structured output from gemini_functions");
}
