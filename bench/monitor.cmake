# The performance monitor's record path into the sqlite sink (docs/performance.md, "Monitor").
pipeline_add_bench(monitor_bench SOURCES monitor_bench.cpp)
add_dependencies(monitor_bench metrics_sqlite)
