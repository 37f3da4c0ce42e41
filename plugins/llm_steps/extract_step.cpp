#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <regex>
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

json::array code_blocks(const std::string& text) {
  json::array out;
  static const std::regex kBlock("```([a-zA-Z0-9_+-]*)\\n([\\s\\S]*?)```");
  for (std::sregex_iterator it(text.begin(), text.end(), kBlock), end; it != end; ++it) {
    out.push_back(json::object{{"language", (*it)[1].str()}, {"code", (*it)[2].str()}});
  }
  return out;
}

// The JSON inside a reply: a ```json block, else the whole text, else the first {...} / [...].
json::value json_of(const std::string& text) {
  boost::system::error_code ec;
  for (const auto& b : code_blocks(text)) {
    json::value v = json::parse(b.as_object().at("code").as_string(), ec);
    if (!ec) return v;
  }
  json::value v = json::parse(trim(text), ec);
  if (!ec) return v;
  for (char open : {'{', '['}) {
    auto b = text.find(open), e = text.rfind(open == '{' ? '}' : ']');
    if (b == std::string::npos || e == std::string::npos || e < b) continue;
    v = json::parse(text.substr(b, e - b + 1), ec);
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
  if (name == "extract_links") {
    static const std::regex kUrl(R"(https?://[^\s)\]>"']+)");
    for (std::sregex_iterator it(text.begin(), text.end(), kUrl), end; it != end; ++it) {
      out.emplace_back(it->str());
    }
    return out;
  }
  if (name == "extract_key_points" || name == "extract_recommendations") {
    static const std::regex kBullet(R"(^\s*(?:[-*+]|\d+[.)])\s+(.*)$)");
    static const std::regex kAdvice(R"(\b(recommend|should|consider|suggest)\w*)",
                                    std::regex::icase);
    for (const auto& line : lines_of(text)) {
      std::smatch m;
      bool bullet = std::regex_match(line, m, kBullet);
      std::string item = bullet ? m[1].str() : trim(line);
      if (item.empty()) continue;
      if (name == "extract_key_points" && bullet) out.emplace_back(item);
      if (name == "extract_recommendations" && std::regex_search(item, kAdvice))
        out.emplace_back(item);
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
  json::value parsed = json::parse(input_json);
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
  json::value v = json::parse(step_json);
  const json::object& step = v.as_object();
  json::array d;
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
