// The mock's scripted replies: `replies: [{match: REGEX, reply: TEXT or JSON}]`, the first regex
// found in the last user message wins (pipeline_ex's mocks work the same way).
//
//   ScriptedReplies replies(cfg.at("replies").as_array());
//   if (auto text = replies.reply_for(prompt)) return *text;
#pragma once

#include <pipeline/sdk/regex.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pipeline::mock {

class ScriptedReplies {
 public:
  ScriptedReplies() = default;
  explicit ScriptedReplies(const boost::json::array& list);

  std::optional<std::string> reply_for(const std::string& prompt) const;

 private:
  struct Reply {
    pipeline::Regex pattern;
    std::string reply;
  };
  std::vector<Reply> replies_;
};

}  // namespace pipeline::mock
