// The store behind the fallback chain's `cached_response` entry: a step's last successful
// output document for the same inputs, kept in the response cache's levels (CacheManager) under
// `step:v1:<sha256 of canonical {workflow, step, input}>`, so it survives the run like cached
// answers do. The input is the step plugin's input document (docs/abi.md), so a change of
// prompt, variables or options is another key. A corrupt entry is a miss.
//
//   StepResultCache results(runtime.cache());            // a null cache: every get misses
//   results.put("triage", "classify", input, doc);        // after a success
//   std::optional<json::object> last = results.get("triage", "classify", input);
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

class StepResultCache {
 public:
  explicit StepResultCache(std::shared_ptr<CacheManager> cache) : cache_(std::move(cache)) {}

  static std::string key(std::string_view workflow, std::string_view step,
                         const json::object& input);
  // False when there is no cache to keep results in (caching off): cached_response always misses.
  bool available() const { return cache_ != nullptr; }
  void put(std::string_view workflow, std::string_view step, const json::object& input,
           const json::object& output_doc) const;
  std::optional<json::object> get(std::string_view workflow, std::string_view step,
                                  const json::object& input) const;

 private:
  std::shared_ptr<CacheManager> cache_;
};

}  // namespace pipeline
