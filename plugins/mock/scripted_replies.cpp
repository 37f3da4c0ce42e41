#include "scripted_replies.hpp"

#include <pipeline/plugin.hpp>

namespace json = boost::json;

namespace pipeline::mock {

ScriptedReplies::ScriptedReplies(const json::array& list) {
  for (const auto& r : list) {
    const auto& ro = r.as_object();
    std::string pattern = json::value_to<std::string>(ro.at("match"));
    const json::value& reply = ro.at("reply");
    pipeline::Regex re = pipeline::Regex::compile(pattern);
    if (!re.ok())
      throw pipeline::sdk::Error(PL_INVALID_ARGUMENT, "mock: reply pattern: " + re.error());
    replies_.push_back({std::move(re), reply.is_string() ? std::string(reply.get_string())
                                                         : json::serialize(reply)});
  }
}

std::optional<std::string> ScriptedReplies::reply_for(const std::string& prompt) const {
  for (const auto& r : replies_) {
    if (r.pattern.search(prompt)) return r.reply;
  }
  return std::nullopt;
}

}  // namespace pipeline::mock
