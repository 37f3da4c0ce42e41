#include <pipeline/plugins/secret_redactor.hpp>
#include <pipeline/sdk/secret.hpp>

#include <algorithm>
#include <cstdlib>

namespace pipeline {

void SecretRedactor::add(std::string secret) {
  std::lock_guard lock(mu_);
  for (std::string& form : sdk::secret_forms(secret)) {
    if (std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end()) {
      secrets_.push_back(std::move(form));
    }
  }
  // Longest first: a form that contains another (the raw key and the trimmed one) goes whole.
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void SecretRedactor::add_from_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) add(v);
}

std::string SecretRedactor::redact(std::string_view text) const {
  std::lock_guard lock(mu_);
  return sdk::redact_secret_forms(std::string(text), secrets_);
}

}  // namespace pipeline
