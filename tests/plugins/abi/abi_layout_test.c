/* Compiled as C99 with -pedantic -Werror: plugin.h must not drift into C++ or compiler
 * extensions. The static asserts inside the header check the layout; this checks offsets the
 * header does not. */
#include <pipeline/plugin.h>

#include <stdio.h>

#define CHECK(cond)                                        \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "layout check failed: %s\n", #cond); \
      return 1;                                            \
    }                                                      \
  } while (0)

int main(void) {
  CHECK(offsetof(pl_step_vtable, execute) == sizeof(pl_component_header));
  CHECK(offsetof(pl_step_vtable, validate) == sizeof(pl_component_header) + sizeof(void*));
  CHECK(offsetof(pl_provider_vtable, complete) == sizeof(pl_component_header));
  CHECK(offsetof(pl_cache_vtable, get) == sizeof(pl_component_header));
  CHECK(offsetof(pl_cache_vtable, health) == sizeof(pl_component_header) + 5 * sizeof(void*));
  CHECK(offsetof(pl_metrics_sink_vtable, query) == sizeof(pl_component_header) + 2 * sizeof(void*));
  CHECK(offsetof(pl_completion_service_v1, complete) == sizeof(pl_service_header));
  CHECK(offsetof(pl_call_context, emit) == 32);
  CHECK(offsetof(pl_buffer, append) == 16);
  printf("pl_plugin_info=%u pl_host_api=%u pl_component_header=%u pl_cache_vtable=%u\n",
         (unsigned)sizeof(pl_plugin_info), (unsigned)sizeof(pl_host_api),
         (unsigned)sizeof(pl_component_header), (unsigned)sizeof(pl_cache_vtable));
  return 0;
}
