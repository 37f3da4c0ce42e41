// The history's query document (docs/observability.md, "The query side") as the filter a store
// runs: every member optional, unknown members ignored (a newer host may ask for more than a
// store filters on), a mistyped one refused naming it.
//
//   HistoryFilter f = parse_history_filter(query_json, "sqlite metrics sink");  // throws
//   sdk::Error
#pragma once

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pipeline::history_common {

struct HistoryFilter {
  std::string workflow;
  std::string step;
  std::string signature_hash;
  std::string variant;
  std::string mode;
  std::int64_t since_unix_ms = 0;
  std::int64_t limit = 0;  // the newest `limit` records (0: all), returned oldest first
};

// `who` starts every error message ("sqlite metrics sink").
inline HistoryFilter parse_history_filter(std::string_view text, const char* who) {
  namespace json = boost::json;
  using pipeline::sdk::Error;
  boost::system::error_code ec;
  json::value doc = json::parse(text.empty() ? std::string_view("{}") : text, ec);
  if (ec || !doc.is_object())
    throw Error(PL_INVALID_ARGUMENT, std::string(who) + ": a query must be a JSON object");
  const json::object& o = doc.get_object();
  HistoryFilter f;
  auto str = [&](const char* key, std::string& out) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return;
    if (!v->is_string())
      throw Error(PL_INVALID_ARGUMENT, std::string(who) + ": query '" + key + "' must be a string");
    out = std::string(v->get_string());
  };
  auto integer = [&](const char* key, std::int64_t& out) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return;
    if (v->is_int64()) {
      out = v->get_int64();
    } else if (v->is_uint64()) {
      out = static_cast<std::int64_t>(v->get_uint64());
    } else {
      throw Error(PL_INVALID_ARGUMENT,
                  std::string(who) + ": query '" + key + "' must be an integer");
    }
  };
  str("workflow", f.workflow);
  str("step", f.step);
  str("signature_hash", f.signature_hash);
  str("variant", f.variant);
  str("mode", f.mode);
  integer("since_unix_ms", f.since_unix_ms);
  integer("limit", f.limit);
  return f;
}

}  // namespace pipeline::history_common
