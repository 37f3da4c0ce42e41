// Small JSON helpers shared by the control-flow steps: reading the host's step input document and
// building validate() diagnostics.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace control_steps {

namespace json = boost::json;

// The "step" member of the host's input document (the step's interpolated config).
const json::object& step_of(const json::value& input);
std::string string_or(const json::object& o, std::string_view key, std::string_view fallback);
int64_t int_or(const json::object& o, std::string_view key, int64_t fallback);
bool bool_or(const json::object& o, std::string_view key, bool fallback);

// Accumulates {"field", "message", "severity"} entries for a step's validate().
class Diagnostics {
 public:
  void error(std::string_view field, std::string_view message) { add(field, message, "error"); }
  void warning(std::string_view field, std::string_view message) { add(field, message, "warning"); }
  std::string str() const { return json::serialize(items_); }

 private:
  void add(std::string_view field, std::string_view message, std::string_view severity);
  json::array items_;
};

}  // namespace control_steps
