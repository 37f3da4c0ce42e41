// Small, forgiving accessors over Boost.JSON values, for reading provider replies whose optional
// members may be absent or null.
//
//   std::string_view t = json_util::str(obj, "text");   // "" when missing or not a string
#ifndef PIPELINE_HTTP_COMMON_JSON_UTIL_HPP
#define PIPELINE_HTTP_COMMON_JSON_UTIL_HPP

#include <boost/json.hpp>

#include <cstdint>
#include <string_view>

namespace pipeline::http::json_util {

inline const boost::json::value* find(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}
inline const boost::json::object* obj(const boost::json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}
inline const boost::json::array* arr(const boost::json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}
inline std::string_view str(const boost::json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}
inline int64_t num(const boost::json::object& o, std::string_view key, int64_t fallback = 0) {
  const auto* v = find(o, key);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return v->get_int64();
  // A count a server sends out of int64's range (or as NaN) is no count: converting it would be
  // undefined behaviour, so it reads as the fallback.
  if (v->is_uint64())
    return v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)
               ? static_cast<int64_t>(v->get_uint64())
               : fallback;
  if (v->is_double()) {
    double d = v->get_double();
    if (!(d >= -9.2e18 && d <= 9.2e18)) return fallback;
    return static_cast<int64_t>(d);
  }
  return fallback;
}
inline double real(const boost::json::value& v, double fallback = 0) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return fallback;
}

}  // namespace pipeline::http::json_util

#endif  // PIPELINE_HTTP_COMMON_JSON_UTIL_HPP
