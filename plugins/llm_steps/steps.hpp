// The LLM step types of pipeline_ex. Each renders provider requests from the step's options and
// calls the provider through the host's completion service (caching, fallback, metrics apply).
#pragma once

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <string>

namespace llm_steps {

using RequestBuilder = boost::json::object (*)(const boost::json::object&);

// One completion through the host; throws sdk::Error with the provider's message on failure.
boost::json::object complete(const pipeline::sdk::Host& host, const pipeline::sdk::CallContext& ctx,
                             const boost::json::object& request);
std::string provider_of(const boost::json::object& input);
// Throws INVALID_ARGUMENT when the request's last message has no text (a prompt that rendered
// empty): pipeline_ex refuses such a step, and a provider would only be paid to guess.
void require_prompt_text(const boost::json::object& request);

// claude, gemini, claude_smart: one prompt, one completion.
class LlmStep : public pipeline::sdk::Step {
 public:
  LlmStep(const pl_host_api* host, std::string_view config, RequestBuilder build, bool presets)
      : Step(host, config), build_(build), presets_(presets) {}
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;

 private:
  RequestBuilder build_;
  bool presets_;
};

// claude_batch (tasks) and parallel_claude (parallel_tasks): prompts rendered by the host, then
// completions on a bounded pool of threads.
class MultiTaskStep : public pipeline::sdk::Step {
 public:
  MultiTaskStep(const pl_host_api* host, std::string_view config, bool batch)
      : Step(host, config), batch_(batch) {}
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;

 private:
  bool batch_;
};

// claude_session: a named conversation that persists across steps and (persist: true) runs.
class SessionStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;

 private:
  std::mutex mu_;  // sessions of this run, by name (one instance serves the whole run)
  std::map<std::string, boost::json::array> sessions_;
};

// claude_extract: a completion plus extraction (format) and post-processing.
class ExtractStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

// claude_robust: retries with backoff, then a fallback action.
class RobustStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;

 private:
  std::mutex mu_;
  std::map<std::string, boost::json::object> last_good_;  // step name -> last successful result
};

// gemini_instructor: structured output (JSON / tool mode) from workflow gemini_functions.
class InstructorStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

}  // namespace llm_steps
