/* A provider that copies the request into the response and does nothing else: what remains in
 * a benchmark of it is the cost of crossing the ABI (vtable call, context, buffer append). */
#include <pipeline/plugin.h>

#include <string.h>

static int token;

static int32_t create(void* u, const pl_host_api* h, const char* c, size_t n, void** out,
                      pl_buffer* e) {
  (void)u;
  (void)h;
  (void)c;
  (void)n;
  (void)e;
  *out = &token;
  return PL_OK;
}

static void destroy(void* i) {
  (void)i;
}

static int32_t complete(void* i, const pl_call_context* ctx, const char* req, size_t len,
                        pl_buffer* out, pl_buffer* err) {
  (void)i;
  (void)err;
  if (ctx->cancelled(ctx)) return PL_CANCELLED;
  out->append(out, req, len);
  return PL_OK;
}

static const pl_plugin_info info = {
    sizeof(pl_plugin_info),           PL_ABI_MAJOR, PL_ABI_MINOR, 0, "bench_echo", "1.0.0",
    "Echoes the request (benchmarks)"};
static pl_provider_vtable vt;

PL_EXPORT const pl_plugin_info* pipeline_plugin_query_v1(void) {
  return &info;
}

PL_EXPORT int32_t pipeline_plugin_init_v1(const pl_host_api* host, pl_buffer* error) {
  (void)error;
  memset(&vt, 0, sizeof vt);
  vt.header.struct_size = sizeof vt;
  vt.header.kind = PL_KIND_PROVIDER;
  vt.header.flags = PL_FLAG_CONCURRENT;
  vt.header.name = "bench_echo";
  vt.header.version = "1.0.0";
  vt.header.create = create;
  vt.header.destroy = destroy;
  vt.complete = complete;
  return host->register_component(host->host, &vt.header);
}
