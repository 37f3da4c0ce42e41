#include "text_words.hpp"

#include <algorithm>
#include <array>

namespace pipeline::mock {

namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Sorted, for binary search. Function words, and the greetings and sign-offs that any message may
// carry whatever it is about.
constexpr std::array<std::string_view, 83> kStopwords = {
    "about",  "after",   "again",   "all",  "also",    "and",   "any",   "are",   "been",
    "before", "being",   "but",     "can",  "could",   "dear",  "did",   "does",  "for",
    "from",   "get",     "got",     "had",  "has",     "have",  "hello", "her",   "here",
    "hers",   "hey",     "him",     "his",  "how",     "into",  "its",   "just",  "let",
    "may",    "mine",    "morning", "not",  "now",     "off",   "one",   "our",   "ours",
    "out",    "please",  "regards", "she",  "should",  "some",  "than",  "thank", "thanks",
    "that",   "the",     "their",   "them", "then",    "there", "these", "they",  "this",
    "those",  "too",     "very",    "was",  "welcome", "were",  "what",  "when",  "where",
    "which",  "who",     "why",     "will", "with",    "would", "yet",   "you",   "your",
    "yours",  "yourself"};

}  // namespace

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : text) {
    if (is_word_byte(c)) {
      cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool is_stopword(std::string_view word) {
  return std::binary_search(kStopwords.begin(), kStopwords.end(), word);
}

bool is_content_word(std::string_view word) {
  return word.size() >= 3 && !is_stopword(word);
}

std::set<std::string> content_words(const std::vector<std::string>& ws) {
  std::set<std::string> out;
  for (const auto& w : ws)
    if (is_content_word(w)) out.insert(w);
  return out;
}

std::vector<std::string> content_words_in_order(const std::vector<std::string>& ws) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& w : ws)
    if (is_content_word(w) && seen.insert(w).second) out.push_back(w);
  return out;
}

bool contains_phrase(const std::vector<std::string>& text_words, std::string_view phrase) {
  const std::vector<std::string> p = words(phrase);
  if (p.empty() || p.size() > text_words.size()) return false;
  return std::search(text_words.begin(), text_words.end(), p.begin(), p.end()) != text_words.end();
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\n' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\t' || s[e - 1] == '\r'))
    --e;
  return std::string(s.substr(b, e - b));
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace pipeline::mock
