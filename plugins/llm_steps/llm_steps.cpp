// LLM step types: claude, gemini, claude_smart, claude_session, claude_extract, claude_batch,
// claude_robust, parallel_claude, gemini_instructor.
#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace llm_steps {

void require_prompt_text(const json::object& request) {
  const auto* m = request.if_contains("messages");
  if (m == nullptr || !m->is_array() || m->get_array().empty()) return;
  const json::value& last = m->get_array().back();
  const json::value* content =
      last.is_object() ? last.get_object().if_contains("content") : nullptr;
  if (content != nullptr && content->is_string() &&
      std::string_view(content->get_string()).find_first_not_of(" \t\r\n") ==
          std::string_view::npos) {
    throw Error(PL_INVALID_ARGUMENT,
                "the prompt renders empty; an LLM step needs text to send (check the variables "
                "and files its prompt uses)");
  }
}

json::object complete(const pipeline::sdk::Host& host, const CallContext& ctx,
                      const json::object& request) {
  require_prompt_text(request);
  auto r = host.complete(ctx, json::serialize(request));
  if (!r.ok()) throw Error(r.status, r.error.empty() ? "completion failed" : r.error);
  json::value response = pipeline::sdk::parse_json(r.body);
  if (!response.is_object()) throw Error(PL_INTERNAL, "completion response is not an object");
  return std::move(response.get_object());
}

std::string provider_of(const json::object& input) {
  auto* p = input.if_contains("provider");
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}

std::string LlmStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value input = pipeline::sdk::parse_json(input_json);
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
  json::value v = pipeline::sdk::parse_json(step_json);
  json::array d;
  require_prompt(v.as_object(), d);
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
