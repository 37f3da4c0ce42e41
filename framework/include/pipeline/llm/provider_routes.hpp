// Which provider instance answers a call: the frame's provider override (a fallback hop), else
// the request's "provider", else the instance wired for the calling step's type
// (step_providers.<type>, so a third-party step that names no provider still gets its own),
// else the default. Shared by the layers that need to know the
// answering instance before asking it (the response cache keys on its identity).
//
//   ProviderRoutes routes(std::move(instances), {{"claude", "fast"}}, "mock");
//   const ProviderRoutes::Route* r = routes.route(request, frame);   // nullptr: no such instance
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/llm/call_frame.hpp>
#include <pipeline/plugins/instances.hpp>

#include <map>
#include <memory>
#include <string>

namespace pipeline {

class ProviderRoutes {
 public:
  // A provider instance and what identifies its answers besides the request: the component,
  // its base URL and its settings (a scripted mock answers differently from a real model).
  struct Provider {
    std::shared_ptr<ProviderInstance> instance;
    std::string component;
    std::string base_url;
    json::object settings;
  };
  struct Route {
    std::string name;  // the instance name (providers.<name>)
    const Provider* provider = nullptr;
  };

  ProviderRoutes(std::map<std::string, Provider> providers,
                 std::map<std::string, std::string> step_providers, std::string default_provider);

  // The instance name for a request (always set); `provider` is nullptr when no instance of
  // that name was created.
  Route route(const json::object& request, const CallFrame& frame) const;

 private:
  std::map<std::string, Provider> providers_;
  std::map<std::string, std::string> step_providers_;
  std::string default_provider_;
};

}  // namespace pipeline
