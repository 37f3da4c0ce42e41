// The error JSON a completion returns on failure (docs/abi.md "Error"), made and read in one
// place so every layer speaks the same classes.
//
//   return completion_error(PL_INTERNAL, "bad_response", "provider 'x' returned no text");
//   std::string cls = error_class_of(result.error);   // "bad_response"
#pragma once

#include <pipeline/plugins/instances.hpp>

#include <string>
#include <string_view>

namespace pipeline {

CallResult completion_error(int32_t status, std::string_view error_class, std::string_view message);

// The "class" member of an error JSON; "unknown" when the text is not one.
std::string error_class_of(std::string_view error_json);

}  // namespace pipeline
