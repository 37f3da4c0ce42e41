// Reading a cache backend's config: an integer setting with a lower bound, refused with a
// message naming the backend and the setting.
//
//   opt.max_bytes = cache_common::int_field(config, "max_bytes", 64 << 20, 1, "memory cache");
#pragma once

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pipeline::cache_common {

inline std::int64_t int_field(const boost::json::object& o, const char* name, std::int64_t fallback,
                              std::int64_t min, std::string_view backend) {
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr) return fallback;
  if (!v->is_int64() && !v->is_uint64()) {
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     std::string(backend) + ": '" + name + "' must be an integer");
  }
  std::int64_t n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
  if (n < min) {
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     std::string(backend) + ": '" + name + "' must be >= " + std::to_string(min));
  }
  return n;
}

}  // namespace pipeline::cache_common
