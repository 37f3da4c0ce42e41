// How a run uses the cache: on (read and write), off, read_only (never writes, not even
// promotions) or write_only (never reads; refreshes what it computes).
//
//   auto mode = pipeline::parse_cache_mode("read_only");   // Result<CacheMode>
#pragma once

#include <pipeline/status.hpp>

#include <string_view>

namespace pipeline {

enum class CacheMode { kOn, kOff, kReadOnly, kWriteOnly };

Result<CacheMode> parse_cache_mode(std::string_view text);
std::string_view cache_mode_name(CacheMode mode);
inline bool cache_mode_reads(CacheMode m) {
  return m == CacheMode::kOn || m == CacheMode::kReadOnly;
}
inline bool cache_mode_writes(CacheMode m) {
  return m == CacheMode::kOn || m == CacheMode::kWriteOnly;
}

}  // namespace pipeline
