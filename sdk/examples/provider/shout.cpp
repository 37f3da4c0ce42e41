// shout.cpp — a provider that answers with the user's message in capitals.
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <cctype>

namespace json = boost::json;

class Shout : public pipeline::sdk::Provider {
 public:
  Shout(const pl_host_api* host, std::string_view config) : Provider(host, config) {}

  std::string complete(const pipeline::sdk::CallContext& ctx, std::string_view request) override {
    if (ctx.cancelled()) throw pipeline::sdk::ProviderError(PL_CANCELLED, "cancelled", "cancelled");
    json::value req = pipeline::sdk::parse_json(request);
    std::string text(req.at("messages").as_array().back().at("content").as_string());
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ctx.emit("text_delta", text);  // streaming, if anyone listens
    json::object out{{"text", text},
                     {"finish_reason", "stop"},
                     {"input_tokens", 1},
                     {"output_tokens", 1},
                     {"model", "shout-1"}};
    return json::serialize(out);
  }
};

PIPELINE_PLUGIN("shout", "1.0.0", "Capitalizes the prompt") {
  r.add_provider<Shout>("shout", "1.0.0");  // PL_FLAG_CONCURRENT by default
}
