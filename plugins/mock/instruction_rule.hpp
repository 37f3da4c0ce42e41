// The rules the simulated model follows when an instruction states them in the documented form
// (docs/optimization.md, "Offline demonstration"): a sentence
//
//   If <subject> mentions "<phrase>"[, "<phrase>"]... [or "<phrase>"], answer <label>.
//
// `mentions` may also be `mention`, `contains` or `contain`; keywords are case-insensitive; the
// label runs to the next '.', ';' or line end (quotes or backticks around it are dropped). A
// phrase matches when its words occur in the inputs as whole words, case-insensitively. Rules
// are tried in the order written and the first one with a matching phrase answers.
//
//   auto rules = parse_rules(instructions);
//   if (const auto* r = first_match(rules, words(ticket))) answer = r->label;
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::mock {

struct InstructionRule {
  std::string subject;  // "the ticket"
  std::vector<std::string> phrases;
  std::string label;
};

std::vector<InstructionRule> parse_rules(std::string_view text);
// The text with every rule sentence removed (what an instruction says besides its rules).
std::string without_rules(std::string_view text);
std::string render_rule(const InstructionRule& rule);
// One rule per line.
std::string render_rules(const std::vector<InstructionRule>& rules);

// The index of the first rule with a phrase found in `text_words`, or -1; `phrase` gets it.
int first_match(const std::vector<InstructionRule>& rules,
                const std::vector<std::string>& text_words, std::string* phrase = nullptr);

// Adds `rule`'s phrases to the first rule with the same label (phrases already in any rule are
// skipped), or appends it when no rule has that label and it has a new phrase.
void merge_rule(std::vector<InstructionRule>& rules, const InstructionRule& rule);
bool has_phrase(const std::vector<InstructionRule>& rules, std::string_view phrase);

}  // namespace pipeline::mock
