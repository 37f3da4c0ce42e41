// A parsed `x-mock-fault` value: "name;key=value;...". Private to the mock server.
#ifndef PIPELINE_TESTS_MOCK_FAULT_SPEC_HPP
#define PIPELINE_TESTS_MOCK_FAULT_SPEC_HPP

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace pipeline::testing {

struct FaultSpec {
  std::string name;  // "" for none
  std::map<std::string, std::string, std::less<>> params;

  int64_t param(std::string_view key, int64_t fallback) const;
  bool is(std::string_view n) const { return name == n; }
};

FaultSpec parse_fault_spec(std::string_view spec);

}  // namespace pipeline::testing

#endif  // PIPELINE_TESTS_MOCK_FAULT_SPEC_HPP
