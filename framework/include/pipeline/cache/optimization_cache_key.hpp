// The optimization cache key, laid out so every optimization of one signature shares a prefix:
//   "opt:v1:" + <signature hash> + ":" + hex SHA-256 of canonical
//   {"model", "optimizer", "params", "trainset_hash"}
// so `cache.erase_prefix(OptimizationCacheKey::signature_prefix(sig))` invalidates them all.
// A signature hash with characters outside [A-Za-z0-9._-] is itself hashed, so it can never
// contain the ':' separator and one signature's prefix never matches another's keys.
//
//   auto key = OptimizationCacheKey::make(sig, "bootstrap_fewshot", params, trainset_hash, model);
#pragma once

#include <pipeline/json.hpp>

#include <string>
#include <string_view>

namespace pipeline {

class OptimizationCacheKey {
 public:
  static constexpr std::string_view kPrefix = "opt:v1:";

  static std::string make(std::string_view signature_hash, std::string_view optimizer,
                          const json::value& params, std::string_view trainset_hash,
                          std::string_view model);
  // "opt:v1:<signature>:" — the prefix of every key of that signature.
  static std::string signature_prefix(std::string_view signature_hash);
  // A stable hash of a training set (canonical JSON), for `trainset_hash`.
  static std::string hash_trainset(const json::value& trainset);
};

}  // namespace pipeline
