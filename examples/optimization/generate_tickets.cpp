// Writes the support-ticket triage data of examples/optimization: train.jsonl, dev.jsonl and
// test.jsonl, rows `{"input": {"ticket": ...}, "output": {"category": ...}}` (the dataset format
// of docs/dspy.md). Deterministic: a fixed seed and our own generator (splitmix64), never
// std::*_distribution, whose sequences differ between standard libraries. The committed files are
// this program's output; tests/e2e checks they still are.
//
//   generate_tickets OUT_DIR
//
// Each ticket is a sentence of its category (each holds one cue word, such as "refund" or
// "tracking", and often an item any category mentions), optionally a distractor sentence that
// mentions things every category talks about (the order, the account, the app), a greeting and a
// sign-off. Distractors make word overlap with the wrong demo common
// and name the label "account" in tickets of other categories, so a model that only copies the
// nearest demo or keys on label names is often wrong, and one that knows the cue words is not.
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  template <typename List>
  const auto& pick(const List& list) {
    return list[below(list.size())];
  }

 private:
  uint64_t state_;
};

struct Category {
  std::string_view name;
  int weight;  // rows in each block of 20
  // Each sentence holds one cue word of the category; "{}" is an item any category may mention.
  std::vector<std::string_view> sentences;
};

const std::vector<Category>& categories() {
  static const std::vector<Category> c{
      {"billing",
       5,
       {"I was charged twice for the {}.", "Where do I find the invoice for the {}?",
        "The refund for the {} never reached my bank.",
        "My card was billed after I cancelled the {}.",
        "Can you explain why I was overcharged for the {}?",
        "I need a receipt for the {} with our company name on it.",
        "My bank shows a chargeback for the {} that I did not ask for.",
        "Why is the first month of the {} prorated on my statement?"}},
      {"technical",
       5,
       {"The app crashes every time I open the page for the {}.",
        "I get an error when I try to review the {}.",
        "There is a bug on the {} page: the photos do not load.",
        "The checkout freezes when I add the {} to the cart.",
        "I get a timeout when I download the manual for the {}.",
        "A glitch shows the {} twice in the cart.",
        "My wishlist with the {} does not sync between my laptop and phone.",
        "The page for the {} is blank since the update."}},
      {"account",
       4,
       {"I forgot my password and cannot see my order of the {}.",
        "How do I change the username on my profile before I buy the {}?",
        "My account is locked after too many attempts.",
        "The two-factor code never arrives on my phone.",
        "Please deactivate my account, I no longer need it.",
        "I cannot update the photo on my profile.", "The login link in the email has expired.",
        "The verification email never came, so I cannot buy the {}."}},
      {"shipping",
       4,
       {"My package with the {} is three days late.",
        "The delivery of the {} was left at the wrong door.",
        "The tracking number for the {} does not work.",
        "The courier says the address for the {} is wrong.",
        "When will the shipment with the {} reach Canada?",
        "The parcel with the {} arrived damaged.", "It says delivered but the {} never came.",
        "Can you dispatch the {} faster? I need it by Friday."}},
      {"other",
       2,
       {"I have some feedback about the design of your store.",
        "I have a suggestion: sell the {} in more colours.",
        "Who should I contact about a partnership with your brand?",
        "Just a compliment: the {} is great.", "How do I stop the newsletter emails?",
        "Is there a page with careers information?",
        "Could I interview someone from your team for a school project?",
        "Do you accept a donation of a used {} for recycling?"}},
  };
  return c;
}

// Items every category's customers mention: shared words between tickets of different labels.
constexpr std::array<std::string_view, 8> kItems = {"jacket",        "headphones",     "gift card",
                                                    "yearly plan",   "coffee machine", "backpack",
                                                    "blue sneakers", "desk lamp"};

// Sentences any category's customer might add; they name "account", "order" and "app".
constexpr std::array<std::string_view, 10> kDistractors = {
    "I placed the order from my account last week.",
    "My account is under my work email.",
    "I use the app on my phone most days.",
    "This is about the order for my sister.",
    "The account was opened in March.",
    "I already wrote to you about my account.",
    "I tried the app and the website.",
    "It is the third order I placed this year.",
    "I have had an account with you for years.",
    "I am writing from the app.",
};
constexpr std::array<std::string_view, 6> kGreetings = {
    "", "Hi. ", "Hello. ", "Hi team. ", "Good morning. ", "Hey there. "};
constexpr std::array<std::string_view, 6> kSignoffs = {
    "",         " Thanks.", " Please help.", " Any update is welcome.", " Thank you in advance.",
    " Regards."};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string ticket(SplitMix64& rng, const Category& cat) {
  std::string sentence(rng.pick(cat.sentences));
  const std::string_view item = rng.pick(kItems);
  if (auto at = sentence.find("{}"); at != std::string::npos) sentence.replace(at, 2, item);
  std::string t(rng.pick(kGreetings));
  // About two tickets in five carry a distractor, before or after the category sentence.
  const std::size_t d = rng.below(10);
  if (d < 2) t += std::string(rng.pick(kDistractors)) + " ";
  t += sentence;
  if (d >= 2 && d < 4) t += " " + std::string(rng.pick(kDistractors));
  t += rng.pick(kSignoffs);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: generate_tickets OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path out(argv[1]);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) {
    std::cerr << "generate_tickets: cannot create " << out << ": " << ec.message() << "\n";
    return 2;
  }
  // The label sequence: each block of 20 rows holds every category `weight` times, shuffled.
  SplitMix64 rng(20261203);
  std::vector<const Category*> block;
  for (const auto& c : categories())
    for (int i = 0; i < c.weight; ++i) block.push_back(&c);
  const struct {
    const char* file;
    int rows;
  } splits[] = {{"train.jsonl", 160}, {"dev.jsonl", 80}, {"test.jsonl", 80}};
  for (const auto& split : splits) {
    std::ofstream f(out / split.file, std::ios::binary);
    for (int r = 0; r < split.rows; r += 20) {
      for (std::size_t i = block.size(); i > 1; --i) std::swap(block[i - 1], block[rng.below(i)]);
      for (const Category* c : block)
        f << "{\"input\": {\"ticket\": " << json_string(ticket(rng, *c))
          << "}, \"output\": {\"category\": " << json_string(c->name) << "}}\n";
    }
    if (!f) {
      std::cerr << "generate_tickets: cannot write " << (out / split.file) << "\n";
      return 1;
    }
  }
  return 0;
}
