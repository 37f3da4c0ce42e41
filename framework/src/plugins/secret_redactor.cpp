#include <pipeline/plugins/secret_redactor.hpp>

#include <algorithm>
#include <cstdlib>

namespace pipeline {

void SecretRedactor::add(std::string secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) {
    secrets_.push_back(std::move(secret));
  }
}

void SecretRedactor::add_from_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) add(v);
}

std::string SecretRedactor::redact(std::string_view text) const {
  std::string out(text);
  std::lock_guard lock(mu_);
  for (const auto& s : secrets_) {
    for (auto pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos)) {
      out.replace(pos, s.size(), "[REDACTED]");
      pos += 10;
    }
  }
  return out;
}

}  // namespace pipeline
