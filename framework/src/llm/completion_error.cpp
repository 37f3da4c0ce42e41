#include <pipeline/llm/completion_error.hpp>

#include <pipeline/json.hpp>

namespace pipeline {

CallResult completion_error(int32_t status, std::string_view error_class,
                            std::string_view message) {
  json::object e{
      {"class", error_class}, {"http_status", 0}, {"retry_after_ms", -1}, {"message", message}};
  return {status, {}, json::serialize(e)};
}

std::string error_class_of(std::string_view error_json) {
  auto doc = parse_json(error_json);
  if (!doc || !doc->is_object()) return "unknown";
  return get_string(doc->get_object(), "class", "unknown");
}

}  // namespace pipeline
