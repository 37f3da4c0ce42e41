#include <pipeline/dspy/completion_judge.hpp>

namespace pipeline::dspy {

JudgeCall completion_judge(Completion& lm, std::string provider, CancellationToken cancel,
                           CallFrame frame) {
  return
      [&lm, provider = std::move(provider), cancel = std::move(cancel), frame = std::move(frame)](
          const std::vector<Message>& messages, const json::object&) -> Result<std::string> {
        json::array ms;
        for (const auto& m : messages)
          ms.push_back(json::object{{"role", m.role}, {"content", m.content}});
        json::object req{{"messages", std::move(ms)}};
        if (!provider.empty()) req["provider"] = provider;
        CallContext ctx(cancel);
        CallResult r = lm.complete(json::serialize(req), CompletionCall{ctx, frame});
        if (!r.ok()) return r.to_status();
        auto body = parse_json(r.body);
        if (!body || !body->is_object())
          return internal_error("llm_judge: malformed completion response");
        return get_string(body->get_object(), "text");
      };
}

}  // namespace pipeline::dspy
