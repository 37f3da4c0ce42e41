// Cache backend latency and throughput: get and put through the real plugins (.so, C ABI,
// CacheInstance wrappers), per backend, at 1 and 8 threads, with 1 KB and 64 KB values.
// Reports p50/p99 latency per call (counters p50_us, p99_us, averaged over threads) and ops/s
// (items_per_second, all threads together). Redis runs as a redis-server started on a free
// loopback port by the benchmark itself. Results: docs/performance.md, "Cache".
//
//   build/bench/cache_bench --benchmark_min_time=0.3 --benchmark_repetitions=3
#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "redis_server.hpp"

namespace {

constexpr int kKeys = 512;

std::string key_of(int i) {
  return "bench:key:" + std::to_string(i);
}

// The plugins, one instance per backend, and the Redis server: created once for the whole run.
class Environment {
 public:
  static Environment& get() {
    static Environment env;
    return env;
  }

  // nullptr when the backend cannot run here (no redis-server).
  pipeline::CacheInstance* cache(const std::string& backend, std::size_t value_size) {
    std::lock_guard lock(mutex_);
    auto& slot = caches_[{backend, value_size}];
    if (!slot) {
      std::string config;
      if (backend == "memory") {
        config = R"({"max_bytes": 268435456})";
      } else if (backend == "sqlite") {
        config = R"({"path": ")" +
                 (dir_ / ("bench-" + std::to_string(value_size) + ".db")).string() +
                 R"(", "max_bytes": 1073741824, "pool_size": 8})";
      } else {
        if (!redis_started_) {
          redis_started_ = true;
          redis_ok_ = pipeline::testing::RedisServer::available() && redis_.start();
        }
        if (!redis_ok_) return nullptr;
        config = redis_.config(R"("pool_size": 8, "namespace": "bench)" +
                               std::to_string(value_size) + R"(:")");
      }
      auto created = host_.create_cache(backend, config);
      if (!created.ok()) return nullptr;
      slot = *created;
      const std::string value(value_size, 'v');
      for (int i = 0; i < kKeys; ++i) (void)slot->put(key_of(i), value, 0);
    }
    return slot.get();
  }

 private:
  Environment() {
    dir_ = std::filesystem::temp_directory_path() / "pipeline-cache-bench";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    for (const char* name : {"cache_memory", "cache_sqlite", "cache_redis"}) {
      (void)host_.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) /
                            (std::string("libpipeline_") + name + ".so"));
    }
  }
  ~Environment() {
    caches_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::mutex mutex_;
  std::filesystem::path dir_;
  pipeline::PluginHost host_;
  pipeline::testing::RedisServer redis_;
  bool redis_started_ = false;
  bool redis_ok_ = false;
  std::map<std::pair<std::string, std::size_t>, std::shared_ptr<pipeline::CacheInstance>> caches_;
};

void report(benchmark::State& state, std::vector<double>& latencies_us) {
  std::sort(latencies_us.begin(), latencies_us.end());
  auto at = [&](double q) {
    if (latencies_us.empty()) return 0.0;
    return latencies_us[static_cast<std::size_t>(q * static_cast<double>(latencies_us.size() - 1))];
  };
  state.counters["p50_us"] = benchmark::Counter(at(0.50), benchmark::Counter::kAvgThreads);
  state.counters["p99_us"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}

template <bool kPut>
void run(benchmark::State& state, const std::string& backend) {
  const auto value_size = static_cast<std::size_t>(state.range(0));
  pipeline::CacheInstance* cache = Environment::get().cache(backend, value_size);
  if (cache == nullptr) {
    state.SkipWithError((backend + " backend unavailable (redis-server missing?)").c_str());
    for (auto _ : state) {
    }
    return;
  }
  const std::string value(value_size, static_cast<char>('a' + state.thread_index()));
  std::mt19937 rng(static_cast<unsigned>(state.thread_index() + 1));
  std::uniform_int_distribution<int> pick(0, kKeys - 1);
  std::vector<double> latencies_us;
  latencies_us.reserve(1 << 16);
  std::size_t failures = 0;
  for (auto _ : state) {
    const std::string key = key_of(pick(rng));
    const auto start = std::chrono::steady_clock::now();
    if constexpr (kPut) {
      if (!cache->put(key, value, 0).ok()) ++failures;
    } else {
      pipeline::CallResult r = cache->get(key);
      if (r.status != PL_OK) ++failures;
      benchmark::DoNotOptimize(r.body.data());
    }
    const auto end = std::chrono::steady_clock::now();
    if (latencies_us.size() < (1u << 20)) {
      latencies_us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  if (failures > 0) state.SkipWithError("some calls failed");
  report(state, latencies_us);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(value_size));
}

void BM_Get(benchmark::State& state, const std::string& backend) {
  run<false>(state, backend);
}
void BM_Put(benchmark::State& state, const std::string& backend) {
  run<true>(state, backend);
}

void sizes_and_threads(benchmark::internal::Benchmark* b) {
  b->Arg(1024)->Arg(64 * 1024)->Threads(1)->Threads(8)->UseRealTime();
}

BENCHMARK_CAPTURE(BM_Get, memory, std::string("memory"))->Apply(sizes_and_threads);
BENCHMARK_CAPTURE(BM_Put, memory, std::string("memory"))->Apply(sizes_and_threads);
BENCHMARK_CAPTURE(BM_Get, sqlite, std::string("sqlite"))->Apply(sizes_and_threads);
BENCHMARK_CAPTURE(BM_Put, sqlite, std::string("sqlite"))->Apply(sizes_and_threads);
BENCHMARK_CAPTURE(BM_Get, redis, std::string("redis"))->Apply(sizes_and_threads);
BENCHMARK_CAPTURE(BM_Put, redis, std::string("redis"))->Apply(sizes_and_threads);

// The manager's own cost on top of a backend: a read-through hit in the first (memory) level.
void BM_ManagerGetHit(benchmark::State& state) {
  pipeline::CacheInstance* unused = Environment::get().cache("memory", 1024);
  benchmark::DoNotOptimize(unused);
  static pipeline::PluginHost host;
  static std::unique_ptr<pipeline::CacheManager> manager = [] {
    (void)host.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) /
                         "libpipeline_cache_memory.so");
    auto c = host.create_cache("memory", "{}");
    auto m = std::make_unique<pipeline::CacheManager>(
        std::vector<pipeline::CacheManager::Level>{{"memory", *c, 0}});
    for (int i = 0; i < kKeys; ++i) m->put(key_of(i), std::string(1024, 'v'));
    return m;
  }();
  std::mt19937 rng(static_cast<unsigned>(state.thread_index() + 1));
  std::uniform_int_distribution<int> pick(0, kKeys - 1);
  for (auto _ : state) {
    auto v = manager->get(key_of(pick(rng)));
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ManagerGetHit)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
