#include "fault_spec.hpp"

#include <charconv>

namespace pipeline::testing {

namespace {
std::string_view trim(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}
}  // namespace

int64_t FaultSpec::param(std::string_view key, int64_t fallback) const {
  auto it = params.find(key);
  if (it == params.end()) return fallback;
  int64_t v = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return v;
}

FaultSpec parse_fault_spec(std::string_view spec) {
  FaultSpec f;
  bool first = true;
  while (!spec.empty()) {
    size_t semi = spec.find(';');
    std::string_view part = trim(spec.substr(0, semi));
    spec = semi == std::string_view::npos ? std::string_view() : spec.substr(semi + 1);
    size_t eq = part.find('=');
    if (first && eq == std::string_view::npos) {
      f.name = std::string(part);
    } else if (eq != std::string_view::npos) {
      f.params[std::string(trim(part.substr(0, eq)))] = std::string(trim(part.substr(eq + 1)));
    }
    first = false;
  }
  // "status=503" alone is accepted as shorthand for "status;code=503".
  if (f.name.empty() && f.params.count("status") != 0) {
    f.name = "status";
    f.params["code"] = f.params["status"];
  }
  return f;
}

}  // namespace pipeline::testing
