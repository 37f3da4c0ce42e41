#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <pipeline/sdk/json_parse.hpp>

#include <cctype>
#include <optional>
#include <set>
#include <sstream>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace llm_steps {

namespace {

const std::set<std::string> kFormats = {"text", "json", "structured", "summary", "markdown"};
const std::set<std::string> kPostProcessing = {"extract_code_blocks", "extract_recommendations",
                                               "extract_links",       "extract_key_points",
                                               "format_markdown",     "generate_summary"};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Replies are model output of any size, so these scanners are plain loops: no regex engine
// recursing per character (std::regex overflowed the stack on an 80 KB code block).

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// ```lang\n ... ``` blocks, the first closing fence ending each.
json::array code_blocks(const std::string& text) {
  json::array out;
  std::size_t pos = 0;
  while ((pos = text.find("```", pos)) != std::string::npos) {
    std::size_t lang_end = pos + 3;
    while (lang_end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[lang_end])) || text[lang_end] == '_' ||
            text[lang_end] == '+' || text[lang_end] == '-')) {
      ++lang_end;
    }
    if (lang_end >= text.size() || text[lang_end] != '\n') {
      pos += 1;
      continue;
    }
    std::size_t close = text.find("```", lang_end + 1);
    if (close == std::string::npos) break;
    out.push_back(json::object{{"language", text.substr(pos + 3, lang_end - pos - 3)},
                               {"code", text.substr(lang_end + 1, close - lang_end - 1)}});
    pos = close + 3;
  }
  return out;
}

// http:// and https:// links, up to whitespace or a closing bracket or quote.
json::array links(const std::string& text) {
  json::array out;
  auto stop = [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == ')' || c == ']' || c == '>' ||
           c == '"' || c == '\'';
  };
  std::size_t pos = 0;
  while ((pos = text.find("http", pos)) != std::string::npos) {
    std::size_t p = pos + 4;
    if (p < text.size() && text[p] == 's') ++p;
    if (text.compare(p, 3, "://") != 0) {
      pos += 4;
      continue;
    }
    std::size_t end = p + 3;
    while (end < text.size() && !stop(text[end])) ++end;
    if (end > p + 3) out.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// "- item", "* item", "+ item", "1. item", "2) item": the item, else nullopt.
std::optional<std::string> bullet_item(const std::string& line) {
  if (line.find('\r') != std::string::npos) return std::nullopt;
  std::size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  if (i < line.size() && (line[i] == '-' || line[i] == '*' || line[i] == '+')) {
    ++i;
  } else {
    std::size_t digits = i;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    if (i == digits || i >= line.size() || (line[i] != '.' && line[i] != ')')) return std::nullopt;
    ++i;
  }
  std::size_t gap = i;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  if (i == gap) return std::nullopt;
  return line.substr(i);
}

// A word starting with recommend, should, consider or suggest, in any case.
bool gives_advice(const std::string& item) {
  std::string lower(item);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* stem : {"recommend", "should", "consider", "suggest"}) {
    for (std::size_t p = lower.find(stem); p != std::string::npos; p = lower.find(stem, p + 1)) {
      if (p == 0 || !word_char(lower[p - 1])) return true;
    }
  }
  return false;
}

// The JSON inside a reply: a ```json block, else the whole text, else the first {...} / [...].
json::value json_of(const std::string& text) {
  boost::system::error_code ec;
  for (const auto& b : code_blocks(text)) {
    json::value v = pipeline::sdk::parse_json(b.as_object().at("code").as_string(), ec);
    if (!ec) return v;
  }
  json::value v = pipeline::sdk::parse_json(trim(text), ec);
  if (!ec) return v;
  for (char open : {'{', '['}) {
    auto b = text.find(open), e = text.rfind(open == '{' ? '}' : ']');
    if (b == std::string::npos || e == std::string::npos || e < b) continue;
    v = pipeline::sdk::parse_json(text.substr(b, e - b + 1), ec);
    if (!ec) return v;
  }
  return nullptr;
}

std::string summary(const std::string& text, std::size_t max_len) {
  std::string flat;
  for (char c : text) flat += (c == '\n' || c == '\r') ? ' ' : c;
  flat = trim(flat);
  if (flat.size() <= max_len) return flat;
  auto cut = flat.rfind(' ', max_len);
  return flat.substr(0, cut == std::string::npos || cut < max_len / 2 ? max_len : cut) + "...";
}

json::value post_process(const std::string& name, const std::string& text, std::size_t max_len) {
  if (name == "extract_code_blocks") return code_blocks(text);
  json::array out;
  if (name == "extract_links") return links(text);
  if (name == "extract_key_points" || name == "extract_recommendations") {
    for (const auto& line : lines_of(text)) {
      std::optional<std::string> bullet = bullet_item(line);
      std::string item = bullet ? *bullet : trim(line);
      if (item.empty()) continue;
      if (name == "extract_key_points" && bullet) out.emplace_back(item);
      if (name == "extract_recommendations" && gives_advice(item)) out.emplace_back(item);
    }
    return out;
  }
  if (name == "format_markdown") {
    std::string md;
    int blank = 0;
    for (const auto& line : lines_of(text)) {
      std::string l = line;
      while (!l.empty() && (l.back() == ' ' || l.back() == '\r')) l.pop_back();
      blank = l.empty() ? blank + 1 : 0;
      if (blank < 2) md += l + "\n";
    }
    return json::value(trim(md) + "\n");
  }
  return json::value(summary(text, max_len));  // generate_summary
}

json::object structured(const std::string& text) {
  json::object sections;
  std::string current = "content";
  for (const auto& line : lines_of(text)) {
    if (line.rfind('#', 0) == 0) {
      current = trim(line.substr(line.find_first_not_of('#')));
      continue;
    }
    auto& s = sections[current];
    if (!s.is_string()) s = "";
    std::string body(s.as_string());
    if (!trim(line).empty()) s = body + (body.empty() ? "" : "\n") + line;
  }
  return sections;
}

}  // namespace

std::string ExtractStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value parsed = pipeline::sdk::parse_json(input_json);
  json::object input = with_preset(parsed.as_object());
  const json::object& step = input["step"].as_object();
  json::object cfg;
  if (auto* c = step.if_contains("extraction_config"); c && c->is_object()) cfg = c->get_object();
  std::string format = "text";
  if (auto* f = cfg.if_contains("format"); f && f->is_string()) format = f->get_string();
  std::size_t max_len = 200;
  if (auto* m = cfg.if_contains("max_summary_length"); m && m->is_number()) {
    max_len = m->to_number<std::size_t>();
  }
  json::object request = claude_request(input);
  if (format == "json") request["response_format"] = "json";
  json::object result = step_result(complete(host(), ctx, request), provider_of(input));
  std::string text(result["text"].as_string());

  json::value extracted;
  if (format == "json") {
    extracted = json_of(text);
    if (extracted.is_null()) result["extraction_error"] = "the reply holds no JSON";
  } else if (format == "structured") {
    extracted = structured(text);
  } else if (format == "summary") {
    extracted = summary(text, max_len);
  } else {
    extracted = text;
  }
  result["format"] = format;
  result["extracted"] = extracted;
  result["content"] = extracted.is_string() ? extracted : json::value(text);
  if (auto* pp = cfg.if_contains("post_processing"); pp && pp->is_array()) {
    json::object processed;
    for (const auto& p : pp->get_array()) {
      if (p.is_string())
        processed[p.get_string()] = post_process(std::string(p.get_string()), text, max_len);
    }
    for (const auto& kv : processed) result[kv.key()] = kv.value();
    result["post_processed"] = std::move(processed);
  }
  bool metadata = false;
  if (auto* m = cfg.if_contains("include_metadata"); m && m->is_bool()) metadata = m->get_bool();
  if (metadata) {
    result["metadata"] = json::object{{"characters", text.size()},
                                      {"lines", lines_of(text).size()},
                                      {"code_blocks", code_blocks(text).size()}};
  }
  return json::serialize(json::object{{"output", std::move(result)}});
}

std::string ExtractStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const json::object& step = v.as_object();
  json::array d;
  require_prompt(step, d);
  check_claude_options(step, d);
  auto* cfg = step.if_contains("extraction_config");
  if (cfg == nullptr || !cfg->is_object()) return json::serialize(d);
  if (auto* f = cfg->get_object().if_contains("format");
      f && (!f->is_string() || !kFormats.count(std::string(f->get_string())))) {
    add_diag(d, "extraction_config.format",
             "format must be one of text, json, structured, summary, markdown");
  }
  if (auto* pp = cfg->get_object().if_contains("post_processing"); pp && pp->is_array()) {
    for (const auto& p : pp->get_array()) {
      if (!p.is_string() || !kPostProcessing.count(std::string(p.get_string()))) {
        add_diag(d, "extraction_config.post_processing",
                 "unknown post_processing " + json::serialize(p) +
                     " (extract_code_blocks, extract_recommendations, extract_links, "
                     "extract_key_points, format_markdown, generate_summary)");
      }
    }
  }
  return json::serialize(d);
}

}  // namespace llm_steps
