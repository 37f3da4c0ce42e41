#include <pipeline/config/diagnostics.hpp>

#include <algorithm>

namespace pipeline {

std::string SourceLocation::to_string() const {
  // Appended piece by piece: `":" + std::to_string(n)` trips a false -Wrestrict in GCC 12 at -O3.
  std::string s = file.empty() ? "<input>" : file;
  if (line > 0) {
    s += ':';
    s += std::to_string(line);
    if (column > 0) {
      s += ':';
      s += std::to_string(column);
    }
  }
  return s;
}

std::string Diagnostic::to_string() const {
  return where.to_string() + (severity == Severity::kError ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(SourceLocation where, std::string message) {
  items_.push_back({Diagnostic::Severity::kError, std::move(where), std::move(message)});
}

void Diagnostics::warning(SourceLocation where, std::string message) {
  items_.push_back({Diagnostic::Severity::kWarning, std::move(where), std::move(message)});
}

void Diagnostics::cause_warning(SourceLocation where, std::string message) {
  items_.push_back({Diagnostic::Severity::kWarning, std::move(where), std::move(message), true});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::promote_warnings() {
  for (auto& d : items_) {
    if (d.severity != Diagnostic::Severity::kWarning) continue;
    d.severity = Diagnostic::Severity::kError;
    d.message += " [a warning, an error under --strict]";
  }
}

bool Diagnostics::has_errors() const {
  return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const auto& d) { return d.severity == Diagnostic::Severity::kError; });
}

std::size_t Diagnostics::warning_count() const {
  return items_.size() - error_count();
}

std::vector<Diagnostic> Diagnostics::ordered() const {
  std::vector<Diagnostic> out;
  for (const auto& d : items_) {
    if (d.cause) out.push_back(d);
  }
  for (auto sev : {Diagnostic::Severity::kError, Diagnostic::Severity::kWarning}) {
    for (const auto& d : items_) {
      if (!d.cause && d.severity == sev) out.push_back(d);
    }
  }
  return out;
}

std::string Diagnostics::format() const {
  std::string out;
  for (const auto& d : ordered()) {
    out += d.to_string();
    out += '\n';
  }
  return out;
}

}  // namespace pipeline
