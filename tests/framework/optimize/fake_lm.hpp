// A scripted Completion for the optimization tests: answers a ChatAdapter prompt of the
// `ticket -> label` signature by a rule on the last user message, counts calls, can wait (to
// overlap concurrent calls) and answers a request it saw before as a cache hit, like the
// response cache would.
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/llm/completion.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pipeline::testing {

class FakeLm : public Completion {
 public:
  std::atomic<int> provider_calls{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  int wait_ms = 0;
  double cost_per_call = 0.001;
  bool cache = true;

  CallResult complete(std::string_view request_json, const CompletionCall& call) override {
    auto req = json::parse(request_json).as_object();
    {
      std::lock_guard lock(mu_);
      requests.push_back(req);
      if (cache && !seen_.insert(std::string(request_json)).second) {
        if (call.record) call.record->cache_hit = true;
        return {PL_OK, reply(req), ""};
      }
    }
    int now = ++in_flight;
    for (int m = max_in_flight.load(); now > m && !max_in_flight.compare_exchange_weak(m, now);) {
    }
    if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    --in_flight;
    ++provider_calls;
    if (call.record) {
      call.record->attempts = 1;
      call.record->cost_usd = cost_per_call;
    }
    return {PL_OK, reply(req), ""};
  }

  std::vector<json::object> snapshot() {
    std::lock_guard lock(mu_);
    return requests;
  }
  std::vector<json::object> requests;

 private:
  // "refund" or "charge" in the ticket -> billing, otherwise technical; a free-form message
  // (no ChatAdapter markers) gets a plain text reply.
  static std::string reply(const json::object& req) {
    const auto& msgs = req.at("messages").as_array();
    std::string last = std::string(msgs.back().at("content").as_string());
    std::string text;
    if (last.find("[[ ## ") == std::string::npos) {
      text = "Classify the ticket by what the customer asks for.";
    } else {
      std::string ticket = last.substr(0, last.find("Respond with"));
      bool billing =
          ticket.find("refund") != std::string::npos || ticket.find("charge") != std::string::npos;
      text = std::string("[[ ## label ## ]]\n") + (billing ? "billing" : "technical") +
             "\n\n[[ ## completed ## ]]";
    }
    return json::serialize(
        json::object{{"text", text}, {"input_tokens", 10}, {"output_tokens", 5}});
  }
  std::mutex mu_;
  std::set<std::string> seen_;
};

}  // namespace pipeline::testing
