// Replaces known secret values (API keys read from the environment) with "[REDACTED]" in text
// that leaves the process: logs, errors, results, checkpoints and metrics.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

class SecretRedactor {
 public:
  // Adds every form of `secret` a server may echo (as read, trimmed, URL-encoded, JSON-escaped;
  // see sdk/secret.hpp). Forms shorter than 4 characters are ignored: redacting them would shred
  // ordinary text.
  void add(std::string secret);
  // Adds the value of the environment variable `name`, if set.
  void add_from_env(const std::string& name);
  std::string redact(std::string_view text) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> secrets_;
};

}  // namespace pipeline
