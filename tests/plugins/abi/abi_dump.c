/* Prints the plugin ABI as plugin.h compiles it: the ABI version, the entry symbols and service
   ids, every struct's size and every member's offset, one fact per line. abi_baseline_test
   compares this with the checked-in abi_baseline.txt. A member added to plugin.h must be added
   here too (the struct's grown size fails the test until it is). */
#include <pipeline/plugin.h>

#include <stdio.h>

#define STRUCT(s) printf("struct %s size %u\n", #s, (unsigned)sizeof(s))
#define MEMBER(s, m) printf("member %s.%s offset %u\n", #s, #m, (unsigned)offsetof(s, m))

int main(void) {
  printf("abi %d.%d\n", PL_ABI_MAJOR, PL_ABI_MINOR);
  printf("symbol %s\nsymbol %s\nsymbol %s\n", PL_QUERY_SYMBOL, PL_INIT_SYMBOL, PL_SHUTDOWN_SYMBOL);
  printf("service %s\nservice %s\nservice %s\n", PL_SERVICE_COMPLETION, PL_SERVICE_EXECUTOR,
         PL_SERVICE_PROGRAM);

  STRUCT(pl_buffer);
  MEMBER(pl_buffer, struct_size);
  MEMBER(pl_buffer, reserved);
  MEMBER(pl_buffer, owner);
  MEMBER(pl_buffer, append);
  MEMBER(pl_buffer, clear);

  STRUCT(pl_plugin_info);
  MEMBER(pl_plugin_info, struct_size);
  MEMBER(pl_plugin_info, abi_major);
  MEMBER(pl_plugin_info, abi_minor);
  MEMBER(pl_plugin_info, reserved);
  MEMBER(pl_plugin_info, name);
  MEMBER(pl_plugin_info, version);
  MEMBER(pl_plugin_info, description);

  STRUCT(pl_call_context);
  MEMBER(pl_call_context, struct_size);
  MEMBER(pl_call_context, reserved);
  MEMBER(pl_call_context, host_data);
  MEMBER(pl_call_context, cancelled);
  MEMBER(pl_call_context, deadline_ms_left);
  MEMBER(pl_call_context, emit);

  STRUCT(pl_component_header);
  MEMBER(pl_component_header, struct_size);
  MEMBER(pl_component_header, kind);
  MEMBER(pl_component_header, flags);
  MEMBER(pl_component_header, reserved);
  MEMBER(pl_component_header, name);
  MEMBER(pl_component_header, version);
  MEMBER(pl_component_header, description);
  MEMBER(pl_component_header, config_schema_json);
  MEMBER(pl_component_header, user_data);
  MEMBER(pl_component_header, create);
  MEMBER(pl_component_header, destroy);

  STRUCT(pl_step_vtable);
  MEMBER(pl_step_vtable, header);
  MEMBER(pl_step_vtable, execute);
  MEMBER(pl_step_vtable, validate);

  STRUCT(pl_provider_vtable);
  MEMBER(pl_provider_vtable, header);
  MEMBER(pl_provider_vtable, complete);

  STRUCT(pl_optimizer_vtable);
  MEMBER(pl_optimizer_vtable, header);
  MEMBER(pl_optimizer_vtable, optimize);

  STRUCT(pl_cache_vtable);
  MEMBER(pl_cache_vtable, header);
  MEMBER(pl_cache_vtable, get);
  MEMBER(pl_cache_vtable, put);
  MEMBER(pl_cache_vtable, erase);
  MEMBER(pl_cache_vtable, erase_prefix);
  MEMBER(pl_cache_vtable, stats);
  MEMBER(pl_cache_vtable, health);

  STRUCT(pl_metrics_sink_vtable);
  MEMBER(pl_metrics_sink_vtable, header);
  MEMBER(pl_metrics_sink_vtable, record);
  MEMBER(pl_metrics_sink_vtable, flush);
  MEMBER(pl_metrics_sink_vtable, query);

  STRUCT(pl_service_header);
  MEMBER(pl_service_header, struct_size);
  MEMBER(pl_service_header, version);
  MEMBER(pl_service_header, host_data);

  STRUCT(pl_completion_service_v1);
  MEMBER(pl_completion_service_v1, header);
  MEMBER(pl_completion_service_v1, complete);

  STRUCT(pl_executor_service_v1);
  MEMBER(pl_executor_service_v1, header);
  MEMBER(pl_executor_service_v1, open_scope);
  MEMBER(pl_executor_service_v1, run_steps);
  MEMBER(pl_executor_service_v1, evaluate);
  MEMBER(pl_executor_service_v1, close_scope);
  MEMBER(pl_executor_service_v1, run_pipeline);

  STRUCT(pl_program_service_v1);
  MEMBER(pl_program_service_v1, header);
  MEMBER(pl_program_service_v1, run);
  MEMBER(pl_program_service_v1, score);
  MEMBER(pl_program_service_v1, evaluate);
  MEMBER(pl_program_service_v1, lm);
  MEMBER(pl_program_service_v1, progress);
  MEMBER(pl_program_service_v1, budget);

  STRUCT(pl_host_api);
  MEMBER(pl_host_api, struct_size);
  MEMBER(pl_host_api, abi_major);
  MEMBER(pl_host_api, abi_minor);
  MEMBER(pl_host_api, reserved);
  MEMBER(pl_host_api, host);
  MEMBER(pl_host_api, log);
  MEMBER(pl_host_api, register_component);
  MEMBER(pl_host_api, get_service);
  return 0;
}
