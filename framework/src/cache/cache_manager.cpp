#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <spdlog/spdlog.h>

#include <array>
#include <bit>
#include <chrono>
#include <exception>
#include <mutex>
#include <set>

namespace pipeline {

namespace {

std::int64_t now_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// One level and its counters. Counters are relaxed atomics: they are statistics, not
// synchronization.
struct CacheManager::LevelState {
  std::string name;
  std::string backend;
  std::shared_ptr<CacheInstance> instance;
  std::int64_t ttl_ms = 0;

  std::atomic<bool> up{true};
  std::atomic<std::int64_t> skip_until_ns{0};
  std::atomic<std::uint64_t> hits{0}, misses{0}, errors{0}, skipped{0}, puts{0}, promotions{0};
  // get latency: bucket i counts calls that took [2^i, 2^(i+1)) nanoseconds
  std::array<std::atomic<std::uint64_t>, 48> latency{};
  std::atomic<std::uint64_t> latency_sum_ns{0}, latency_count{0};
  mutable std::mutex error_mutex;
  std::string last_error;

  void record_latency(std::int64_t ns) {
    const auto v = static_cast<std::uint64_t>(ns > 0 ? ns : 1);
    const std::size_t bucket = std::min<std::size_t>(latency.size() - 1, std::bit_width(v) - 1);
    latency[bucket].fetch_add(1, std::memory_order_relaxed);
    latency_sum_ns.fetch_add(v, std::memory_order_relaxed);
    latency_count.fetch_add(1, std::memory_order_relaxed);
  }

  // The upper bound, in microseconds, of the bucket holding quantile q.
  double latency_quantile_us(double q) const {
    std::uint64_t total = 0;
    for (const auto& b : latency) total += b.load(std::memory_order_relaxed);
    if (total == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < latency.size(); ++i) {
      seen += latency[i].load(std::memory_order_relaxed);
      if (seen >= rank) return static_cast<double>(std::uint64_t{2} << i) / 1000.0;
    }
    return 0;
  }
};

CacheManager::CacheManager(std::vector<Level> levels, CacheMode mode, std::int64_t skip_ms)
    : mode_(mode), skip_ns_(skip_ms * 1'000'000) {
  for (Level& l : levels) {
    auto s = std::make_unique<LevelState>();
    s->name = l.name.empty() ? l.instance->name() : l.name;
    s->backend = l.instance->name();
    s->instance = std::move(l.instance);
    s->ttl_ms = l.ttl_ms;
    levels_.push_back(std::move(s));
  }
}

CacheManager::~CacheManager() = default;

Result<std::unique_ptr<CacheManager>> CacheManager::create(PluginHost& host,
                                                           const CacheConfig& config) {
  std::vector<Level> levels;
  std::set<std::string> names;
  for (const CacheLevelConfig& lc : config.levels) {
    const std::string name = lc.name.empty() ? lc.backend : lc.name;
    if (!names.insert(name).second) {
      return invalid_argument("cache level '" + name + "' is configured twice");
    }
    auto instance = host.create_cache(lc.backend, lc.config_json);
    if (!instance) {
      return Status(instance.status().code(), "cache level '" + name + "' (backend '" + lc.backend +
                                                  "'): " + instance.status().message());
    }
    levels.push_back({name, std::move(*instance), lc.ttl_ms});
  }
  return std::make_unique<CacheManager>(std::move(levels), config.mode, config.skip_ms);
}

bool CacheManager::usable(LevelState& level) {
  if (level.up.load(std::memory_order_relaxed)) return true;
  // A down level gets a call again once its skip window is over; that call is the probe.
  if (now_ns() >= level.skip_until_ns.load(std::memory_order_relaxed)) return true;
  level.skipped.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void CacheManager::record_failure(LevelState& level, const std::string& what) {
  level.errors.fetch_add(1, std::memory_order_relaxed);
  level.skip_until_ns.store(now_ns() + skip_ns_, std::memory_order_relaxed);
  {
    std::lock_guard lock(level.error_mutex);
    level.last_error = what;
  }
  if (level.up.exchange(false)) {
    spdlog::warn("cache level '{}' ({}) failed, skipping it until it recovers: {}", level.name,
                 level.backend, what);
  }
}

void CacheManager::record_success(LevelState& level) {
  if (!level.up.load(std::memory_order_relaxed) && !level.up.exchange(true)) {
    spdlog::info("cache level '{}' ({}) recovered", level.name, level.backend);
  }
}

std::optional<std::string> CacheManager::lookup(std::string_view key, bool count) {
  const CacheMode m = mode();
  if (!cache_mode_reads(m)) return std::nullopt;
  if (count) gets_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < levels_.size(); ++i) {
    LevelState& level = *levels_[i];
    if (!usable(level)) continue;
    const std::int64_t start = now_ns();
    CallResult r = level.instance->get(key);
    level.record_latency(now_ns() - start);
    if (r.status == PL_OK) {
      level.hits.fetch_add(1, std::memory_order_relaxed);
      record_success(level);
      // Promotion writes, so read_only does not promote.
      if (i > 0 && m == CacheMode::kOn) put_levels(key, r.body, i, true);
      if (count) hits_.fetch_add(1, std::memory_order_relaxed);
      return std::move(r.body);
    }
    if (r.status == PL_NOT_FOUND) {
      level.misses.fetch_add(1, std::memory_order_relaxed);
      record_success(level);
      continue;
    }
    record_failure(level,
                   "get: " + status_code_name(r.status) + (r.error.empty() ? "" : ": " + r.error));
  }
  if (count) misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<std::string> CacheManager::get(std::string_view key) {
  return lookup(key, true);
}

void CacheManager::put_levels(std::string_view key, std::string_view value, std::size_t count,
                              bool promotion) {
  for (std::size_t i = 0; i < count && i < levels_.size(); ++i) {
    LevelState& level = *levels_[i];
    if (!usable(level)) continue;
    Status st = level.instance->put(key, value, level.ttl_ms);
    if (st.ok()) {
      level.puts.fetch_add(1, std::memory_order_relaxed);
      if (promotion) level.promotions.fetch_add(1, std::memory_order_relaxed);
      record_success(level);
    } else {
      record_failure(level, "put: " + st.to_string());
    }
  }
}

void CacheManager::put(std::string_view key, std::string_view value) {
  if (!cache_mode_writes(mode())) return;
  put_levels(key, value, levels_.size(), false);
}

Result<std::string> CacheManager::get_or_compute(
    const std::string& key, const std::function<Result<std::string>()>& compute) {
  // Whatever compute does, it becomes a Result: a waiter must never be left hanging, and an
  // exception is just another error that is not cached.
  auto call = [&]() -> Result<std::string> {
    computes_.fetch_add(1, std::memory_order_relaxed);
    Result<std::string> r = [&]() -> Result<std::string> {
      try {
        return compute();
      } catch (const std::exception& e) {
        return internal_error(std::string("cache compute threw: ") + e.what());
      } catch (...) {
        return internal_error("cache compute threw a non-standard exception");
      }
    }();
    if (!r) compute_errors_.fetch_add(1, std::memory_order_relaxed);
    return r;
  };
  const CacheMode m = mode();
  if (m == CacheMode::kOff) return call();
  if (auto hit = lookup(key, true)) return std::move(*hit);
  auto outcome = flights_.run(key, [&]() -> Result<std::string> {
    // Another flight for this key may have finished between our miss and now.
    if (auto hit = lookup(key, false)) return std::move(*hit);
    Result<std::string> r = call();
    if (r && cache_mode_writes(m)) put_levels(key, *r, levels_.size(), false);
    return r;
  });
  if (outcome.shared) coalesced_.fetch_add(1, std::memory_order_relaxed);
  return std::move(outcome.value);
}

Status CacheManager::erase(std::string_view key) {
  std::string failed;
  for (auto& lp : levels_) {
    Status st = lp->instance->erase(key);
    if (st.ok()) {
      record_success(*lp);
    } else {
      record_failure(*lp, "erase: " + st.to_string());
      failed += (failed.empty() ? "" : ", ") + lp->name;
    }
  }
  if (failed.empty()) return {};
  return unavailable("cache erase failed on level(s): " + failed);
}

Status CacheManager::erase_prefix(std::string_view prefix) {
  std::string failed;
  for (auto& lp : levels_) {
    Status st = lp->instance->erase_prefix(prefix);
    if (st.ok()) {
      record_success(*lp);
    } else {
      record_failure(*lp, "erase_prefix: " + st.to_string());
      failed += (failed.empty() ? "" : ", ") + lp->name;
    }
  }
  if (failed.empty()) return {};
  return unavailable("cache invalidation failed on level(s): " + failed);
}

CacheStats CacheManager::stats() const {
  CacheStats s;
  s.mode = mode();
  s.gets = gets_.load(std::memory_order_relaxed);
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.computes = computes_.load(std::memory_order_relaxed);
  s.coalesced = coalesced_.load(std::memory_order_relaxed);
  s.compute_errors = compute_errors_.load(std::memory_order_relaxed);
  s.in_flight = flights_.in_flight();
  s.waiting = flights_.waiting();
  for (const auto& lp : levels_) {
    const LevelState& l = *lp;
    CacheLevelStats ls;
    ls.name = l.name;
    ls.backend = l.backend;
    ls.up = l.up.load();
    ls.hits = l.hits.load(std::memory_order_relaxed);
    ls.misses = l.misses.load(std::memory_order_relaxed);
    ls.errors = l.errors.load(std::memory_order_relaxed);
    ls.skipped = l.skipped.load(std::memory_order_relaxed);
    ls.puts = l.puts.load(std::memory_order_relaxed);
    ls.promotions = l.promotions.load(std::memory_order_relaxed);
    ls.get_count = l.latency_count.load(std::memory_order_relaxed);
    if (ls.get_count > 0) {
      ls.get_mean_us = static_cast<double>(l.latency_sum_ns.load(std::memory_order_relaxed)) /
                       static_cast<double>(ls.get_count) / 1000.0;
    }
    ls.get_p50_us = l.latency_quantile_us(0.50);
    ls.get_p99_us = l.latency_quantile_us(0.99);
    {
      std::lock_guard lock(l.error_mutex);
      ls.last_error = l.last_error;
    }
    const std::string backend_stats = l.instance->stats();
    auto parsed = parse_json(backend_stats);
    ls.backend_stats = parsed ? std::move(*parsed) : json::value(backend_stats);
    Status health = l.instance->health();
    if (!health.ok()) ls.health = health.to_string();
    // A level whose backend says it is unusable is down, even in a process (`pipeline cache
    // stats`) that has not called it yet.
    if (!health.ok()) ls.up = false;
    s.levels.push_back(std::move(ls));
  }
  return s;
}

}  // namespace pipeline
