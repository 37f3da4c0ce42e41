// Core step types that need no LLM: set_variable, test_echo, data_transform, file_ops.
#pragma once

#include <pipeline/plugin.hpp>

namespace core_steps {

// data_transform: filter, map, aggregate, join, group_by, sort over a list.
class DataTransformStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

// file_ops: copy, move, delete, validate, list, convert (csv/json/yaml), all inside the workspace.
class FileOpsStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

}  // namespace core_steps
