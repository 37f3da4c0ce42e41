#include <pipeline/cache/cache_mode.hpp>

#include <string>

namespace pipeline {

Result<CacheMode> parse_cache_mode(std::string_view text) {
  if (text == "on") return CacheMode::kOn;
  if (text == "off") return CacheMode::kOff;
  if (text == "read_only") return CacheMode::kReadOnly;
  if (text == "write_only") return CacheMode::kWriteOnly;
  return invalid_argument("cache mode '" + std::string(text) +
                          "' is not one of on, off, read_only, write_only");
}

std::string_view cache_mode_name(CacheMode mode) {
  switch (mode) {
    case CacheMode::kOn:
      return "on";
    case CacheMode::kOff:
      return "off";
    case CacheMode::kReadOnly:
      return "read_only";
    case CacheMode::kWriteOnly:
      return "write_only";
  }
  return "on";
}

}  // namespace pipeline
