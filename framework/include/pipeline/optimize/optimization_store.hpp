// The optimization cache: an optimized program stored under its OptimizationCacheKey, plus, per
// signature, a pointer to the newest one ("opt:v1:<signature>:latest") so a run can find the
// program of a step from its signature alone, with the time it was made (for the staleness rule
// of `optimization_frequency`). It uses the levels of the runtime's CacheManager (the response
// cache's), so it follows the run's cache mode; `pipeline cache clear --prefix opt:v1:<sig>:`
// drops a signature's programs and its pointer together.
//
//   OptimizationStore store(cache);
//   store.put({.key = key, .signature_hash = sig.hash(), .program = prog.to_json(), ...});
//   auto hit = store.get(key);               // the same optimization again
//   auto newest = store.latest(sig.hash());  // whatever optimization of this signature is newest
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace pipeline {

struct StoredProgram {
  std::string key;             // its OptimizationCacheKey
  std::string signature_hash;  // of the step's signature
  std::string optimizer;
  json::value program;  // DSPy's saved shape
  // What the optimization reported (the --json document without "program"), for a warm rerun.
  json::object report;
  std::int64_t created_unix_ms = 0;

  json::object to_json() const;
  static std::optional<StoredProgram> from_json(const json::value& v);
};

// A background optimization that failed, kept beside the signature's programs so later runs do
// not pay for the same failure again: it holds while the step's optimization inputs are the same
// (`fingerprint`) and its retry time has not come. `pipeline optimize` ignores it.
struct OptimizationFailure {
  std::string optimizer{};
  std::string fingerprint{};  // of the inputs the failed optimization had
  std::string reason{};
  int count = 1;             // consecutive failures with these inputs
  std::int64_t unix_ms = 0;  // the last one
  // 15 minutes after the first failure, doubling with each further one, at most a day.
  std::int64_t retry_unix_ms() const;

  json::object to_json() const;
  static std::optional<OptimizationFailure> from_json(const json::value& v);
};

class OptimizationStore {
 public:
  explicit OptimizationStore(std::shared_ptr<CacheManager> cache) : cache_(std::move(cache)) {}

  // "opt:v1:<signature>:latest"
  static std::string latest_key(std::string_view signature_hash);

  // Writes the entry and moves the signature's pointer to it. created_unix_ms 0 means now.
  void put(StoredProgram entry);
  // A corrupt entry is a miss.
  std::optional<StoredProgram> get(const std::string& key);
  std::optional<StoredProgram> latest(std::string_view signature_hash);
  bool available() const { return cache_ != nullptr; }

  // "opt:v1:<signature>:failed:<optimizer>"
  static std::string failure_key(std::string_view signature_hash, std::string_view optimizer);
  // Keeps `f` (unix_ms 0 means now); one more in a row when the stored one had the same inputs.
  void record_failure(std::string_view signature_hash, OptimizationFailure f);
  // The stored failure, if any and readable (whether it still holds is the caller's to decide).
  std::optional<OptimizationFailure> failure(std::string_view signature_hash,
                                             std::string_view optimizer);
  void clear_failure(std::string_view signature_hash, std::string_view optimizer);

 private:
  std::shared_ptr<CacheManager> cache_;
};

}  // namespace pipeline
