#include <pipeline/engine/prompt_builder.hpp>

#include <pipeline/sdk/file_reader.hpp>
#include <pipeline/util/utf8.hpp>

namespace pipeline {

namespace fs = std::filesystem;

Result<std::string> PromptBuilder::render_part(const PromptPart& part) const {
  const json::object& f = part.fields;
  if (part.type == "static") {
    auto v = interp_.render(get_string(f, "content"));
    if (!v) return v.status();
    return to_text(*v);
  }
  if (part.type == "file") {
    auto p = interp_.render(get_string(f, "path"));
    if (!p) return p.status();
    const std::string written = get_string(f, "path");
    if (to_text(*p).empty()) {
      return invalid_argument("file prompt part: path '" + written +
                              "' renders empty; it must name a file");
    }
    fs::path path = to_text(*p);
    std::error_code ec;
    if (path.is_relative() && !fs::exists(path, ec) && fs::exists(workflow_dir_ / path, ec)) {
      path = workflow_dir_ / path;
    }
    FileContent content = read_input_file(path, max_input_file_bytes(), cancelled_);
    if (!content) {
      if (content.error == FileContent::Error::kCancelled) {
        return Status(StatusCode::kCancelled, "cancelled while reading " + path.string());
      }
      return content.error == FileContent::Error::kNotFound
                 ? not_found("file prompt part: " + content.message)
                 : invalid_argument("file prompt part: " + content.message);
    }
    if (auto at = first_invalid_utf8(content.data)) {
      return invalid_argument("file prompt part: " + path.string() + ": not UTF-8 at byte " +
                              std::to_string(*at) + " (prompts must be UTF-8 text)");
    }
    return std::move(content.data);
  }
  if (part.type == "previous_response") {
    std::string step = get_string(f, "step");
    const json::value* r = ctx_.result(step);
    if (r == nullptr) {
      return failed_precondition("previous_response: step '" + step + "' has no result (it was " +
                                 "skipped or has not run)");
    }
    std::string extract = get_string(f, "extract");
    if (extract.empty()) return result_text(*r);
    auto v = extract_from_result(*r, extract);
    if (!v) {
      bool strict = false;
      if (auto* s = f.if_contains("strict"); s && s->is_bool()) strict = s->get_bool();
      if (strict) {
        return not_found("previous_response: step '" + step + "' has no field '" + extract + "'");
      }
      return std::string();
    }
    return to_text(*v);
  }
  // session_context / claude_continue belong to the session step types; they pass through as
  // text so a plain step still sees them.
  auto v = interp_.render(get_string(f, "content", get_string(f, "prompt")));
  if (!v) return v.status();
  return to_text(*v);
}

Result<RenderedPrompt> PromptBuilder::render(const std::vector<PromptPart>& parts) const {
  RenderedPrompt out;
  for (const auto& part : parts) {
    if (cancelled_ && cancelled_()) {
      return Status(StatusCode::kCancelled, "cancelled while building the prompt");
    }
    auto text = render_part(part);
    if (!text) return text.status();
    if (!out.text.empty() && !text->empty() && out.text.back() != '\n') out.text += '\n';
    out.text += *text;
    json::object p = part.fields;
    p["text"] = *text;
    out.parts.push_back(std::move(p));
  }
  return out;
}

}  // namespace pipeline
