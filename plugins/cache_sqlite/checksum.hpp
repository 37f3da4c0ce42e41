// A fast 64-bit checksum of an entry (key and value), stored beside it to catch torn or altered
// rows. Not cryptographic: it detects accidents, not attackers. Reads 8 bytes per step so a 64 KB
// value costs a few microseconds, not the tens a byte-wise hash would.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace pipeline::cache_sqlite {

inline std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline std::uint64_t checksum_update(std::uint64_t h, std::string_view data) {
  const char* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ mix(w)) * 0x9e3779b97f4a7c15ull;
    h = (h << 27) | (h >> 37);
    p += 8;
    n -= 8;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = (h ^ mix(tail ^ (static_cast<std::uint64_t>(n) << 56))) * 0x9e3779b97f4a7c15ull;
  return h;
}

// The key and the value are hashed with their lengths so ("ab","c") and ("a","bc") differ.
inline std::int64_t entry_checksum(std::string_view key, std::string_view value) {
  std::uint64_t h = 0x243f6a8885a308d3ull ^ mix(key.size()) ^ (mix(value.size()) << 1);
  h = checksum_update(h, key);
  h = checksum_update(h, value);
  return static_cast<std::int64_t>(mix(h));
}

}  // namespace pipeline::cache_sqlite
