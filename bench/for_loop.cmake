# for_loop scaling: host work per iteration must stay flat from 1,000 to 10,000 items.
pipeline_add_bench(bm_for_loop SOURCES for_loop/bm_for_loop.cpp)
add_dependencies(bm_for_loop core_steps control_steps mock)
