#include "instruction_rule.hpp"

#include "text_words.hpp"

#include <optional>

namespace pipeline::mock {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

struct Located {
  InstructionRule rule;
  std::size_t begin = 0, end = 0;
};

bool starts_with(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.size() >= at + prefix.size() && s.substr(at, prefix.size()) == prefix;
}

void skip(std::string_view s, std::size_t& p, std::string_view chars) {
  while (p < s.size() && chars.find(s[p]) != std::string_view::npos) ++p;
}

// The rule starting at `i` ("if " at a word start), or nothing when the sentence is not one.
std::optional<Located> rule_at(std::string_view text, std::string_view low, std::size_t i) {
  if (!starts_with(low, i, "if ") || (i > 0 && is_alnum(text[i - 1]))) return std::nullopt;
  const std::size_t quote = text.find('"', i);
  const std::size_t nl = text.find('\n', i);
  if (quote == std::string_view::npos || (nl != std::string_view::npos && nl < quote))
    return std::nullopt;
  std::string head = trim(low.substr(i + 3, quote - i - 3));
  std::optional<std::string> subject;
  for (std::string_view verb : {"mentions", "mention", "contains", "contain"}) {
    const std::size_t n = verb.size();
    if (head.size() >= n && head.compare(head.size() - n, n, verb) == 0 &&
        (head.size() == n || head[head.size() - n - 1] == ' ')) {
      subject = trim(trim(text.substr(i + 3, quote - i - 3)).substr(0, head.size() - n));
      break;
    }
  }
  if (!subject) return std::nullopt;
  Located out;
  out.rule.subject = *subject;
  std::size_t p = quote;
  while (p < text.size() && text[p] == '"') {
    const std::size_t close = text.find('"', p + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inner = text.substr(p + 1, close - p - 1);
    if (inner.find('\n') != std::string_view::npos) return std::nullopt;
    if (std::string phrase = trim(inner); !phrase.empty()) out.rule.phrases.push_back(phrase);
    p = close + 1;
    skip(text, p, " ,");
    if (starts_with(low, p, "or ")) {
      p += 3;
      skip(text, p, " ,");
    }
  }
  if (out.rule.phrases.empty()) return std::nullopt;
  skip(text, p, " ,");
  if (starts_with(low, p, "then ")) p += 5;
  if (!starts_with(low, p, "answer")) return std::nullopt;
  p += 6;
  skip(text, p, " :");
  if (starts_with(low, p, "with ")) p += 5;
  std::size_t end = text.find_first_of(".;\n", p);
  if (end == std::string_view::npos) end = text.size();
  std::string label = trim(text.substr(p, end - p));
  while (!label.empty() && std::string_view("\"'`*").find(label.front()) != std::string_view::npos)
    label.erase(label.begin());
  while (!label.empty() && std::string_view("\"'`*").find(label.back()) != std::string_view::npos)
    label.pop_back();
  if (label.empty()) return std::nullopt;
  out.rule.label = label;
  out.begin = i;
  out.end = end < text.size() && text[end] != '\n' ? end + 1 : end;
  return out;
}

std::vector<Located> locate_rules(std::string_view text) {
  const std::string low = lowercase(text);
  std::vector<Located> out;
  for (std::size_t i = 0; i < text.size();) {
    if (auto r = rule_at(text, low, i)) {
      i = r->end;
      out.push_back(std::move(*r));
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

std::vector<InstructionRule> parse_rules(std::string_view text) {
  std::vector<InstructionRule> out;
  for (auto& r : locate_rules(text)) out.push_back(std::move(r.rule));
  return out;
}

std::string without_rules(std::string_view text) {
  std::string out;
  std::size_t at = 0;
  for (const auto& r : locate_rules(text)) {
    out += text.substr(at, r.begin - at);
    at = r.end;
  }
  out += text.substr(at);
  // Collapse the blank lines and trailing spaces the removed sentences leave.
  std::string tidy;
  for (std::size_t i = 0; i < out.size();) {
    std::size_t nl = out.find('\n', i);
    if (nl == std::string::npos) nl = out.size();
    std::string line = trim(std::string_view(out).substr(i, nl - i));
    if (!line.empty()) tidy += (tidy.empty() ? "" : "\n") + line;
    i = nl + 1;
  }
  return tidy;
}

std::string render_rule(const InstructionRule& rule) {
  std::string s =
      "If " + (rule.subject.empty() ? std::string("the input") : rule.subject) + " mentions ";
  for (std::size_t i = 0; i < rule.phrases.size(); ++i) {
    if (i) s += i + 1 == rule.phrases.size() ? " or " : ", ";
    s += "\"" + rule.phrases[i] + "\"";
  }
  return s + ", answer " + rule.label + ".";
}

std::string render_rules(const std::vector<InstructionRule>& rules) {
  std::string s;
  for (const auto& r : rules) s += (s.empty() ? "" : "\n") + render_rule(r);
  return s;
}

int first_match(const std::vector<InstructionRule>& rules,
                const std::vector<std::string>& text_words, std::string* phrase) {
  for (std::size_t i = 0; i < rules.size(); ++i)
    for (const auto& p : rules[i].phrases)
      if (contains_phrase(text_words, p)) {
        if (phrase) *phrase = p;
        return static_cast<int>(i);
      }
  return -1;
}

bool has_phrase(const std::vector<InstructionRule>& rules, std::string_view phrase) {
  const std::string low = lowercase(phrase);
  for (const auto& r : rules)
    for (const auto& p : r.phrases)
      if (lowercase(p) == low) return true;
  return false;
}

void merge_rule(std::vector<InstructionRule>& rules, const InstructionRule& rule) {
  std::vector<std::string> fresh;
  for (const auto& p : rule.phrases)
    if (!has_phrase(rules, p)) {
      bool dup = false;
      for (const auto& f : fresh) dup = dup || lowercase(f) == lowercase(p);
      if (!dup) fresh.push_back(p);
    }
  if (fresh.empty()) return;
  for (auto& r : rules)
    if (r.label == rule.label) {
      r.phrases.insert(r.phrases.end(), fresh.begin(), fresh.end());
      return;
    }
  InstructionRule added = rule;
  added.phrases = std::move(fresh);
  rules.push_back(std::move(added));
}

}  // namespace pipeline::mock
