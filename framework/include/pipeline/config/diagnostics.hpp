// Diagnostics: every problem found in the input, each with file:line:col, so a user fixes them
// all in one go instead of one per run.
//
//   Diagnostics d;
//   d.error({file, 3, 7}, "unknown step type 'foo' (known: claude, gemini)");
//   if (d.has_errors()) std::cerr << d.format();
#pragma once

#include <string>
#include <vector>

namespace pipeline {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  // "file:line:col" (or less when parts are unknown)
  std::string to_string() const;
};

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLocation where;
  std::string message;
  // A problem in the setup that later errors may follow from (a plugin that failed to load):
  // listed before them so the user reads the cause first.
  bool cause = false;
  // "file:line:col: error: message"
  std::string to_string() const;
};

class Diagnostics {
 public:
  void error(SourceLocation where, std::string message);
  void warning(SourceLocation where, std::string message);
  // A warning about the setup, listed before every error (see Diagnostic::cause).
  void cause_warning(SourceLocation where, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);
  // --strict: every warning becomes an error (its message says so).
  void promote_warnings();

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  // Display order: causes first, then errors, then warnings, each group in input order.
  std::vector<Diagnostic> ordered() const;
  // ordered(), one per line.
  std::string format() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace pipeline
