// Regular expressions for patterns and text that come from users and models: RE2, which runs in
// time linear in the input and never recurses, so no pattern or subject can hang or overflow the
// stack (std::regex does both). Header-only; whoever includes it links RE2 (pkg-config re2).
//
//   auto re = pipeline::Regex::compile("^v[0-9]+$");
//   if (!re.ok()) return error(re.error());
//   bool hit = re.search(text);
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

namespace pipeline {

class Regex {
 public:
  // RE2 syntax (Perl-like, without backreferences or lookaround); never throws.
  static Regex compile(std::string_view pattern, bool case_insensitive = false) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_case_sensitive(!case_insensitive);
    opts.set_max_mem(32 << 20);  // a pattern's compiled form stays bounded
    Regex r;
    r.re_ = std::make_shared<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
    if (!r.re_->ok()) {
      r.error_ = "invalid regular expression '" + std::string(pattern) + "': " + r.re_->error() +
                 " (RE2 syntax: no backreferences or lookaround)";
    }
    return r;
  }

  bool ok() const { return re_ && re_->ok(); }
  const std::string& error() const { return error_; }
  // True when the pattern matches anywhere in `text`.
  bool search(std::string_view text) const {
    return ok() && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
  }
  // True when the pattern matches the whole of `text`.
  bool full_match(std::string_view text) const {
    return ok() && RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
  }

 private:
  std::shared_ptr<const RE2> re_;
  std::string error_;
};

}  // namespace pipeline
