# Routing plus monitoring overhead per step (docs/performance.md, "Hybrid routing overhead").
pipeline_add_bench(hybrid_bench SOURCES hybrid_bench.cpp)
add_dependencies(hybrid_bench mock llm_steps core_steps metrics_sqlite)
