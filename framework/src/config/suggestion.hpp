// "did you mean ...?" for misspelled names: the closest candidate by edit distance.
//
//   auto s = closest_match("condtion", {"condition", "prompt"});  // "condition"
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// neighbours each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a typo of it (at most 1 edit for
// words up to 4 characters, 2 up to 8, 3 beyond), else nullopt.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace pipeline
