// Test harness for step types: a Runtime with the build's real plugins, the mock provider (with
// optional settings), and helpers to load a workflow from YAML text and run it.
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/engine/workflow_validator.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace pipeline::testing {

// A fresh temporary folder, made the current directory for the test's lifetime.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path previous_;
};

class StepHarness {
 public:
  explicit StepHarness(json::object mock_settings = {});
  // Writes `yaml` to `file` (in the current folder), loads and validates it.
  Workflow load(const std::string& yaml, const std::string& file = "wf.yaml");
  // Diagnostics of loading + validating `yaml` (for rejection tests).
  Diagnostics check(const std::string& yaml, const std::string& file = "wf.yaml");
  RunResult run(const Workflow& wf, ExecutorOptions options = {});
  Runtime& runtime() { return *runtime_; }

 private:
  std::unique_ptr<Runtime> runtime_;
};

// Convenience accessors into a result.
const json::value& result_of(const RunResult& r, const std::string& step);

}  // namespace pipeline::testing
