// How the simulated model reads text: words are runs of ASCII letters and digits (and any
// non-ASCII byte), lowercased. Content words are the words of 3 or more characters that are not
// in a short list of English function words, greetings and sign-offs, so "the", "my" or "please"
// never make two texts look alike. Both are documented in docs/optimization.md.
//
//   std::vector<std::string> all = words("My card was charged twice.");  // my card was charged
//   twice std::set<std::string> c = content_words(all);                        // card charged
//   twice
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::mock {

std::vector<std::string> words(std::string_view text);
bool is_stopword(std::string_view word);
bool is_content_word(std::string_view word);
std::set<std::string> content_words(const std::vector<std::string>& words);
// Content words in order of first appearance, each once.
std::vector<std::string> content_words_in_order(const std::vector<std::string>& words);

// True when `phrase`'s words occur in `text_words` as a contiguous run (whole words).
bool contains_phrase(const std::vector<std::string>& text_words, std::string_view phrase);

std::string trim(std::string_view s);
std::string lowercase(std::string_view s);

}  // namespace pipeline::mock
