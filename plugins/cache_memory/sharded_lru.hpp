// A thread-safe LRU map from byte keys to byte values, bounded in bytes, with per-entry TTL.
//
// Split into shards (each its own mutex, list and hash map) so concurrent callers rarely meet on
// one lock. Each shard holds max_bytes / shards; an entry larger than a shard is refused.
//
//   ShardedLru lru({.max_bytes = 64 << 20, .shards = 16});
//   lru.put("k", "v", std::chrono::milliseconds(0));
//   std::string out; bool hit = lru.get("k", out);
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pipeline::cache_memory {

class ShardedLru {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::size_t max_bytes = 64u << 20;
    std::size_t shards = 16;
  };

  struct Counters {
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t puts = 0;
    std::uint64_t evictions = 0;
    std::uint64_t expirations = 0;
    std::uint64_t rejected = 0;  // entries larger than one shard
  };

  explicit ShardedLru(Options options);

  // Copies the value into `out` and marks the entry most recently used. False on miss or expiry.
  bool get(std::string_view key, std::string& out);
  // ttl <= 0: no expiry. Returns false when the entry cannot fit in a shard at all.
  bool put(std::string_view key, std::string_view value, std::chrono::milliseconds ttl);
  void erase(std::string_view key);
  void erase_prefix(std::string_view prefix);
  Counters counters() const;
  std::size_t max_bytes() const { return options_.max_bytes; }

 private:
  struct Entry {
    std::string key;
    std::string value;
    Clock::time_point expires_at;  // time_point::max() when it never expires
  };
  // Transparent hashing so lookups by string_view do not allocate.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // front = most recently used
    std::unordered_map<std::string_view, std::list<Entry>::iterator, Hash, std::equal_to<>> index;
    std::size_t bytes = 0;
    std::size_t capacity = 0;
  };

  static std::size_t cost(const Entry& e) { return e.key.size() + e.value.size() + kOverhead; }
  // Bytes of bookkeeping per entry (list node, map node, strings), so tiny values still count.
  static constexpr std::size_t kOverhead = 96;

  Shard& shard_for(std::string_view key);
  void remove(Shard& shard, std::list<Entry>::iterator it);

  Options options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, puts_{0}, evictions_{0}, expirations_{0},
      rejected_{0};
};

}  // namespace pipeline::cache_memory
