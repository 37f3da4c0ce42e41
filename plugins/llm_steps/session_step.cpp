#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <pipeline/sdk/atomic_file.hpp>
#include <pipeline/sdk/file_reader.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace json = boost::json;
namespace fs = std::filesystem;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace llm_steps {

namespace {

std::string str(const json::object& o, std::string_view k, std::string_view fb = {}) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fb);
}

// Session names become file names; keep them to a safe alphabet.
std::string safe_name(const std::string& name) {
  std::string out;
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out.empty() ? "session" : out;
}

fs::path session_file(const json::object& input, const std::string& name) {
  std::string ws = "./workspace";
  if (auto* w = input.if_contains("workflow"); w && w->is_object())
    ws = str(w->get_object(), "workspace_dir", ws);
  return fs::path(ws) / ".pipeline_sessions" / (safe_name(name) + ".json");
}

json::array load_history(const fs::path& file) {
  pipeline::FileContent content = pipeline::read_input_file(file);
  if (!content) return {};
  boost::system::error_code ec;
  json::value v = pipeline::sdk::parse_json(content.data, ec);
  if (ec || !v.is_object()) return {};
  auto* m = v.get_object().if_contains("messages");
  return m && m->is_array() ? m->get_array() : json::array();
}

void save_history(const fs::path& file, const std::string& name, const json::array& messages) {
  auto w = pipeline::atomic_write_file(
      file, json::serialize(json::object{{"session", name}, {"messages", messages}}) + "\n");
  if (!w) throw Error(PL_PERMISSION_DENIED, "claude_session: cannot save " + file.string());
}

}  // namespace

std::string SessionStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value parsed = pipeline::sdk::parse_json(input_json);
  json::object input = with_preset(parsed.as_object());
  const json::object& step = input["step"].as_object();
  json::object cfg;
  if (auto* c = step.if_contains("session_config"); c && c->is_object()) cfg = c->get_object();
  std::string name = str(cfg, "session_name", str(input, "step_name", "session"));
  bool persist = false;
  if (auto* p = cfg.if_contains("persist"); p && p->is_bool()) persist = p->get_bool();
  fs::path file = session_file(input, name);

  // A session is one conversation: its turns are taken one at a time.
  std::lock_guard lock(mu_);
  auto it = sessions_.find(name);
  if (it == sessions_.end()) {
    it = sessions_.emplace(name, persist ? load_history(file) : json::array()).first;
  }
  json::array& history = it->second;
  json::object request = claude_request(input);
  json::array messages = history;
  json::object user{{"role", "user"}, {"content", str(input, "prompt_text")}};
  messages.push_back(user);
  request["messages"] = messages;
  json::object result = step_result(complete(host(), ctx, request), provider_of(input));
  history.push_back(std::move(user));
  history.push_back(json::object{{"role", "assistant"}, {"content", result["text"]}});
  if (persist) save_history(file, name, history);
  result["session_id"] = name;
  result["turn"] = history.size() / 2;
  result["persisted"] = persist;
  return json::serialize(json::object{{"output", std::move(result)}});
}

std::string SessionStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  json::array d;
  require_prompt(v.as_object(), d);
  check_claude_options(v.as_object(), d);
  if (auto* c = v.as_object().if_contains("session_config"); c && !c->is_object()) {
    add_diag(d, "session_config", "session_config must be a map (session_name, persist, ...)");
  }
  return json::serialize(d);
}

}  // namespace llm_steps
