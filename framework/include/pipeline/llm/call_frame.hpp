// Which run, step, mode and variant an LLM call serves. The executor opens one frame per step
// and every call the step makes carries it: the step's own calls and those its plugin makes
// through host.complete() (the frame rides on the step's CallContext), so a plugin's calls are
// attributed without the plugin's help.
//
//   CallLog log;
//   CallFrame frame{.run_id = "r1", .step = "summarize", .step_type = "claude", .log = &log};
#pragma once

#include <string>

namespace pipeline {

class CallLog;

// Every member has a default so designated initializers may name just a few (-Wextra).
struct CallFrame {
  std::string run_id{};
  std::string step{};
  std::string mode = "traditional";  // traditional | dspy_optimized | ...
  std::string variant{};             // A/B variant chosen by the router; empty when none
  // The running step's type: a request that names no "provider" goes to step_providers.<type>.
  std::string step_type{};
  // Where the recording layer puts one record per call (nullptr: the calls are not recorded).
  CallLog* log = nullptr;
  // The provider instance that must answer, over the request's "provider" and step_providers
  // (empty: routed as usual). The fallback layer sets it for each hop so that the layers below
  // it (the response cache, the provider) serve the instance the chain moved to.
  std::string provider{};
  // The fallback chain applies to this call (hybrid_config.fallback_enabled: false clears it).
  bool fallback = true;
  // The response cache applies to this call (dspy_config.cache_enabled: false clears it).
  bool response_cache = true;
};

}  // namespace pipeline
