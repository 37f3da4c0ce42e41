# A 100-step workflow against the loopback mock LLM server at 50 ms: cold run vs warm rerun
# through the response cache (docs/performance.md, "Cache").
pipeline_add_bench(cache_workflow_bench SOURCES cache_workflow_bench.cpp LIBS pipeline::mock_llm_server)
add_dependencies(cache_workflow_bench openai llm_steps cache_memory cache_sqlite)
