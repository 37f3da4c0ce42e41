# Cache backends: get/put latency and throughput (docs/performance.md, "Cache").
pipeline_add_bench(cache_bench SOURCES cache_bench.cpp ${PROJECT_SOURCE_DIR}/tests/support/redis_server.cpp)
add_dependencies(cache_bench cache_memory cache_sqlite cache_redis)
