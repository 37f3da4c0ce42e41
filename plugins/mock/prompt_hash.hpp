// FNV-1a hashing for the mock: request ids, the failure plan's draws and the simulation's noise all
// come from a hash of their input, so the same request always gets the same answer.
//
//   uint64_t h = fnv1a(prompt, seed_basis(seed));
//   double u = unit_interval(h);   // in [0, 1)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipeline::mock {

inline constexpr uint64_t kFnvBasis = 1469598103934665603ull;

inline uint64_t fnv1a(std::string_view s, uint64_t h = kFnvBasis) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// A seed folded into the basis, so two seeds give unrelated sequences (its decimal text, so the
// draws are the same on every platform).
inline uint64_t seed_basis(uint64_t seed) {
  return fnv1a(std::to_string(seed));
}

// splitmix64's finaliser: FNV's low bits are weak, and draws use them.
inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline double unit_interval(uint64_t h) {
  return static_cast<double>(mix(h) >> 11) / 9007199254740992.0;  // 2^53
}

}  // namespace pipeline::mock
