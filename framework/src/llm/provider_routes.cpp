#include <pipeline/llm/provider_routes.hpp>

namespace pipeline {

ProviderRoutes::ProviderRoutes(std::map<std::string, Provider> providers,
                               std::map<std::string, std::string> step_providers,
                               std::string default_provider)
    : providers_(std::move(providers)),
      step_providers_(std::move(step_providers)),
      default_provider_(std::move(default_provider)) {}

ProviderRoutes::Route ProviderRoutes::route(const json::object& request,
                                            const CallFrame& frame) const {
  Route r;
  if (!frame.provider.empty()) {
    r.name = frame.provider;
  } else if (const auto* p = request.if_contains("provider"); p && p->is_string()) {
    r.name = std::string(p->get_string());
  } else if (auto it = step_providers_.find(frame.step_type); it != step_providers_.end()) {
    r.name = it->second;
  } else {
    r.name = default_provider_;
  }
  if (auto it = providers_.find(r.name); it != providers_.end()) r.provider = &it->second;
  return r;
}

}  // namespace pipeline
