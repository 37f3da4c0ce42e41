// Renders a step's prompt parts (static, file, previous_response, ...) into the prompt text sent
// to the provider, interpolating {{...}} in each part.
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/interpolation.hpp>
#include <pipeline/engine/run_context.hpp>
#include <pipeline/status.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline {

struct RenderedPrompt {
  std::string text;
  json::array parts;  // each part with its resolved "text"
};

class PromptBuilder {
 public:
  // File parts are read relative to the current directory first, then to `workflow_dir`; a read
  // stops (CANCELLED) once `cancelled` says so.
  PromptBuilder(const RunContext& ctx, const Interpolator& interp,
                std::filesystem::path workflow_dir, CancelCheck cancelled = {})
      : ctx_(ctx),
        interp_(interp),
        workflow_dir_(std::move(workflow_dir)),
        cancelled_(std::move(cancelled)) {}

  Result<RenderedPrompt> render(const std::vector<PromptPart>& parts) const;

 private:
  Result<std::string> render_part(const PromptPart& part) const;
  const RunContext& ctx_;
  const Interpolator& interp_;
  std::filesystem::path workflow_dir_;
  CancelCheck cancelled_;
};

}  // namespace pipeline
