#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/cache/sha256.hpp>

#include <algorithm>
#include <cctype>

namespace pipeline {

namespace {

// Signature hashes are normally hex; anything that could hold the ':' separator is hashed.
std::string safe_signature(std::string_view sig) {
  const bool plain = !sig.empty() && std::all_of(sig.begin(), sig.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
  });
  return plain ? std::string(sig) : sha256_hex(sig);
}

}  // namespace

std::string OptimizationCacheKey::signature_prefix(std::string_view signature_hash) {
  return std::string(kPrefix) + safe_signature(signature_hash) + ":";
}

std::string OptimizationCacheKey::make(std::string_view signature_hash, std::string_view optimizer,
                                       const json::value& params, std::string_view trainset_hash,
                                       std::string_view model) {
  json::object doc;
  doc["optimizer"] = optimizer;
  doc["params"] = params;
  doc["trainset_hash"] = trainset_hash;
  doc["model"] = model;
  return signature_prefix(signature_hash) + sha256_hex(canonical_json(doc));
}

std::string OptimizationCacheKey::hash_trainset(const json::value& trainset) {
  return sha256_hex(canonical_json(trainset));
}

}  // namespace pipeline
