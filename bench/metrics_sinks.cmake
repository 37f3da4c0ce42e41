# Records per second into each metrics sink through its loaded .so (docs/performance.md).
pipeline_add_bench(metrics_sinks_bench SOURCES metrics_sinks_bench.cpp)
add_dependencies(metrics_sinks_bench metrics_jsonl metrics_sqlite)
