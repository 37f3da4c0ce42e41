// Checkpoints of a run (workflow.checkpoint_enabled): after every top-level step the run's state
// is written atomically, so `pipeline run --resume` continues after the last completed step.
// Secrets are redacted before anything reaches the disk.
//
//   CheckpointStore store(wf, redactor);
//   store.save({.next_step = 3, .state = ctx.to_json(), ...});
//   if (auto cp = store.load(); cp && !cp->finished) ...
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/json.hpp>
#include <pipeline/plugins/secret_redactor.hpp>
#include <pipeline/status.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pipeline {

struct Checkpoint {
  std::string workflow;
  std::string file;
  std::size_t next_step = 0;           // index of the first step still to run
  std::vector<std::string> completed;  // names of the steps run (completed or skipped)
  bool finished = false;               // the run reached its end (successfully)
  json::object state;                  // RunContext::to_json()
  json::object to_json() const;
  static Result<Checkpoint> from_json(const json::value& v);
};

class CheckpointStore {
 public:
  CheckpointStore(const Workflow& wf, const SecretRedactor& redactor);
  // <checkpoint_dir>/<workflow name>.checkpoint.json
  const std::filesystem::path& path() const { return path_; }
  Status save(const Checkpoint& cp) const;
  // nullopt when there is no checkpoint; an error when it is unreadable or of another workflow.
  Result<std::optional<Checkpoint>> load() const;

 private:
  std::filesystem::path path_;
  std::string workflow_;
  const SecretRedactor& redactor_;
};

}  // namespace pipeline
