// Boost.JSON parsing with the depth limit the host uses (limits::kMaxJsonDepth), for plugins that
// use Boost.JSON: the host passes documents as deep as validation allows, and Boost.JSON's
// default of 32 levels would refuse them. Header-only; the includer links Boost.JSON.
//
//   boost::json::value v = pipeline::sdk::parse_json(input_json);  // throws like json::parse
#pragma once

#include <pipeline/sdk/limits.hpp>

#include <boost/json.hpp>

#include <string_view>

namespace pipeline::sdk {

inline boost::json::parse_options json_parse_options() {
  boost::json::parse_options opts;
  opts.max_depth = limits::kMaxJsonDepth;
  return opts;
}

inline boost::json::value parse_json(std::string_view text) {
  return boost::json::parse(text, {}, json_parse_options());
}

inline boost::json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  return boost::json::parse(text, ec, {}, json_parse_options());
}

}  // namespace pipeline::sdk
