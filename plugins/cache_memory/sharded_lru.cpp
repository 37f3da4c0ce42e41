#include "sharded_lru.hpp"

#include <algorithm>

namespace pipeline::cache_memory {

ShardedLru::ShardedLru(Options options) : options_(options) {
  options_.shards = std::max<std::size_t>(1, options_.shards);
  shards_.reserve(options_.shards);
  for (std::size_t i = 0; i < options_.shards; ++i) {
    auto s = std::make_unique<Shard>();
    s->capacity = options_.max_bytes / options_.shards;
    shards_.push_back(std::move(s));
  }
}

ShardedLru::Shard& ShardedLru::shard_for(std::string_view key) {
  // Mix the hash again: the map inside the shard uses the same hash's low bits.
  std::size_t h = Hash{}(key);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  return *shards_[h % shards_.size()];
}

void ShardedLru::remove(Shard& shard, std::list<Entry>::iterator it) {
  shard.bytes -= cost(*it);
  shard.index.erase(std::string_view(it->key));
  shard.lru.erase(it);
}

bool ShardedLru::get(std::string_view key, std::string& out) {
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  auto found = s.index.find(key);
  if (found == s.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  auto it = found->second;
  if (it->expires_at != Clock::time_point::max() && it->expires_at <= Clock::now()) {
    remove(s, it);
    expirations_.fetch_add(1, std::memory_order_relaxed);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  s.lru.splice(s.lru.begin(), s.lru, it);
  out.assign(it->value);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool ShardedLru::put(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) {
  Shard& s = shard_for(key);
  const std::size_t needed = key.size() + value.size() + kOverhead;
  puts_.fetch_add(1, std::memory_order_relaxed);
  // Built outside the lock: the copy of a large value is the expensive part.
  Entry fresh{std::string(key), std::string(value),
              ttl.count() > 0 ? Clock::now() + ttl : Clock::time_point::max()};
  std::lock_guard lock(s.mutex);
  if (auto found = s.index.find(key); found != s.index.end()) remove(s, found->second);
  if (needed > s.capacity) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  while (s.bytes + needed > s.capacity && !s.lru.empty()) {
    remove(s, std::prev(s.lru.end()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  s.lru.push_front(std::move(fresh));
  auto it = s.lru.begin();
  // The map's key views the list node's string, which never moves while the node lives.
  s.index.emplace(std::string_view(it->key), it);
  s.bytes += needed;
  return true;
}

void ShardedLru::erase(std::string_view key) {
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  if (auto found = s.index.find(key); found != s.index.end()) remove(s, found->second);
}

void ShardedLru::erase_prefix(std::string_view prefix) {
  for (auto& sp : shards_) {
    std::lock_guard lock(sp->mutex);
    for (auto it = sp->lru.begin(); it != sp->lru.end();) {
      auto next = std::next(it);
      if (std::string_view(it->key).starts_with(prefix)) remove(*sp, it);
      it = next;
    }
  }
}

ShardedLru::Counters ShardedLru::counters() const {
  Counters c;
  for (const auto& sp : shards_) {
    std::lock_guard lock(sp->mutex);
    c.entries += sp->lru.size();
    c.bytes += sp->bytes;
  }
  c.hits = hits_.load(std::memory_order_relaxed);
  c.misses = misses_.load(std::memory_order_relaxed);
  c.puts = puts_.load(std::memory_order_relaxed);
  c.evictions = evictions_.load(std::memory_order_relaxed);
  c.expirations = expirations_.load(std::memory_order_relaxed);
  c.rejected = rejected_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace pipeline::cache_memory
