#include "adapter_reply.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace json = boost::json;

namespace pipeline::mock {

std::string adapter_reply(const DspyPrompt& prompt, const json::object& outputs) {
  if (prompt.json_adapter) {
    json::object o;
    for (const auto& f : prompt.outputs) {
      const auto* v = outputs.if_contains(f.name);
      if (!v) continue;
      json::value out = *v;
      if (v->is_string() && f.type != "str" && f.allowed.empty()) {
        boost::system::error_code ec;
        json::value parsed = pipeline::sdk::parse_json(v->get_string(), ec);
        if (!ec) out = std::move(parsed);
      }
      o[f.name] = std::move(out);
    }
    return json::serialize(o);
  }
  std::string s;
  for (const auto& f : prompt.outputs)
    if (const auto* v = outputs.if_contains(f.name))
      s += "[[ ## " + f.name + " ## ]]\n" + value_text(*v) + "\n\n";
  return s + "[[ ## completed ## ]]";
}

}  // namespace pipeline::mock
