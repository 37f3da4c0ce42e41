/*
 * pipeline plugin ABI, version 1 — the only contract between the `pipeline` host and its plugins.
 *
 * Plain C99: fixed-width integers, (pointer, length) UTF-8 strings, opaque handles and function
 * pointers. No enums, no bool, no varargs, no C++ types. Grows only by appending members to the end
 * of structs; every struct that crosses starts with `uint32_t struct_size` so either side can tell
 * which members the other one knows.
 *
 * Usage (a plugin):
 *   PL_EXPORT const pl_plugin_info* pipeline_plugin_query_v1(void);
 *   PL_EXPORT int32_t pipeline_plugin_init_v1(const pl_host_api* host, pl_buffer* error);
 * and, in init, host->register_component(host->host, &my_vtable.header) for each component.
 * Results and messages are appended to pl_buffer writers owned by the caller: buf->append(buf, p,
 * n).
 *
 * Every function pointer documents its thread and ownership rules on one line, CLAP style:
 *   [thread] who may call it concurrently   [owns] who allocates / frees what it touches
 */
#ifndef PIPELINE_PLUGIN_H
#define PIPELINE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ---------------------------------------------------------------------------------
 */

/* Major changes rename the entry symbols (the _v1 suffix), so an old host never calls a new plugin.
 */
#define PL_ABI_MAJOR 1
/* Minor versions only append members; a 1.0 plugin loads in any 1.x host.
   1.1: the "pipeline.program" service (optimizers). */
#define PL_ABI_MINOR 1

#if defined(_WIN32)
#define PL_EXPORT __declspec(dllexport)
#else
#define PL_EXPORT __attribute__((visibility("default")))
#endif

/* Entry symbol names, as strings, for hosts that look them up. */
#define PL_QUERY_SYMBOL "pipeline_plugin_query_v1"
#define PL_INIT_SYMBOL "pipeline_plugin_init_v1"
#define PL_SHUTDOWN_SYMBOL "pipeline_plugin_shutdown_v1"

/* ---- Status codes (canonical gRPC / absl numbering) -------------------------------------------
 */

#define PL_OK 0
#define PL_CANCELLED 1
#define PL_UNKNOWN 2
#define PL_INVALID_ARGUMENT 3
#define PL_DEADLINE_EXCEEDED 4
#define PL_NOT_FOUND 5
#define PL_ALREADY_EXISTS 6
#define PL_PERMISSION_DENIED 7
#define PL_RESOURCE_EXHAUSTED 8
#define PL_FAILED_PRECONDITION 9
#define PL_ABORTED 10
#define PL_OUT_OF_RANGE 11
#define PL_UNIMPLEMENTED 12
#define PL_INTERNAL 13
#define PL_UNAVAILABLE 14
#define PL_DATA_LOSS 15
#define PL_UNAUTHENTICATED 16

/* ---- Component kinds --------------------------------------------------------------------------
 */

#define PL_KIND_STEP 1
#define PL_KIND_PROVIDER 2
#define PL_KIND_OPTIMIZER 3
#define PL_KIND_CACHE 4
#define PL_KIND_METRICS_SINK 5

/* ---- Log levels -------------------------------------------------------------------------------
 */

#define PL_LOG_TRACE 0
#define PL_LOG_DEBUG 1
#define PL_LOG_INFO 2
#define PL_LOG_WARN 3
#define PL_LOG_ERROR 4

/* ---- Component flags --------------------------------------------------------------------------
 */

/* The instance's calls may run concurrently from several threads; without it the host serializes.
 */
#define PL_FLAG_CONCURRENT 1u

/* ---- Opaque handles ---------------------------------------------------------------------------
 */

/* The host, as seen by one loaded library (log lines and registrations are attributed to it). */
typedef struct pl_host pl_host;
/* An output buffer: a writer that the CALLER owns and the callee appends to. The host passes its
   own buffers to plugin calls; a plugin calling a host service passes buffers it owns (the SDK's
   C++ helpers provide one). Whoever created a buffer frees it; the callee only appends. */
typedef struct pl_buffer {
  uint32_t struct_size;
  uint32_t reserved;
  void* owner; /* the creator's data, e.g. a std::string* */
  /* [thread] the thread of the call the buffer was passed to  [owns] the buffer copies the bytes */
  void (*append)(struct pl_buffer* self, const char* data, size_t size);
  /* [thread] as append  drops what was appended so far (e.g. before retrying) */
  void (*clear)(struct pl_buffer* self);
} pl_buffer;
/* The host API table, defined below (create() receives it too). */
typedef struct pl_host_api pl_host_api;

/* ---- Plugin metadata (returned by the query entry point) --------------------------------------
 */

typedef struct pl_plugin_info {
  uint32_t struct_size;    /* sizeof(pl_plugin_info) as the plugin was compiled */
  uint32_t abi_major;      /* PL_ABI_MAJOR the plugin was built against */
  uint32_t abi_minor;      /* PL_ABI_MINOR the plugin was built against */
  uint32_t reserved;       /* zero */
  const char* name;        /* NUL-terminated, static storage; unique among loaded plugins */
  const char* version;     /* NUL-terminated, static storage, e.g. "1.2.0" */
  const char* description; /* NUL-terminated, static storage, may be NULL */
} pl_plugin_info;

/* ---- Call context -----------------------------------------------------------------------------
 */

/* Passed to every call that may take time. Host-owned; valid only for the duration of the call. */
typedef struct pl_call_context {
  uint32_t struct_size;
  uint32_t reserved;
  void* host_data; /* pass back as `self` below */
  /* [thread] any thread during the call  returns 1 once the run was cancelled, else 0 */
  int32_t (*cancelled)(const struct pl_call_context* self);
  /* [thread] any thread during the call  milliseconds until the deadline; -1 means no deadline */
  int64_t (*deadline_ms_left)(const struct pl_call_context* self);
  /* [thread] any thread during the call  [owns] host copies both strings before returning.
     Streams a partial result: kind is e.g. "text_delta" or "progress", data is UTF-8 or JSON.
     Returns PL_CANCELLED when the consumer wants the call to stop. */
  int32_t (*emit)(const struct pl_call_context* self, const char* kind, size_t kind_len,
                  const char* data, size_t data_len);
} pl_call_context;

/* ---- Common component header ------------------------------------------------------------------
 */

/* Every per-kind vtable starts with this header. struct_size is the size of the WHOLE per-kind
   vtable as the plugin compiled it, so the host can tell which trailing members exist.
   The vtable itself must stay valid (static storage) until the library is unloaded. */
typedef struct pl_component_header {
  uint32_t struct_size;
  uint32_t kind;  /* PL_KIND_* */
  uint32_t flags; /* PL_FLAG_* */
  uint32_t reserved;
  const char* name;               /* NUL-terminated: the step type, provider, optimizer... name */
  const char* version;            /* NUL-terminated */
  const char* description;        /* NUL-terminated, may be NULL */
  const char* config_schema_json; /* NUL-terminated JSON Schema of create()'s config, may be NULL */
  void* user_data;                /* passed to create() */
  /* [thread] any thread, concurrently  [owns] config is host-owned; *out_instance is plugin-owned
     and released only through destroy(). Errors: message appended to `error`. */
  int32_t (*create)(void* user_data, const pl_host_api* host, const char* config_json,
                    size_t config_len, void** out_instance, pl_buffer* error);
  /* [thread] once, after every other call on the instance has returned */
  void (*destroy)(void* instance);
} pl_component_header;

/* ---- Step types -------------------------------------------------------------------------------
 */

/* input: {"step": {...the step's config, interpolated...}, "step_name", "step_type",
           "provider": "<instance serving this step type>", "prompt_text": "...",
           "prompt_parts": [...], "workflow": {"name", "workspace_dir", "output_dir"}}
   output: {"output": <any JSON: the step's result>, "set_variables": {...} (optional)} */
typedef struct pl_step_vtable {
  pl_component_header header;
  /* [thread] per PL_FLAG_CONCURRENT  [owns] host owns input, output and error buffers */
  int32_t (*execute)(void* instance, const pl_call_context* ctx, const char* input_json,
                     size_t input_len, pl_buffer* output_json, pl_buffer* error);
  /* Optional (may be NULL, or absent in a smaller struct_size). Checks a step's config before the
     run: appends a JSON array of {"field", "message", "severity": "error"|"warning"} to
     diagnostics_json. [thread] any thread  [owns] host owns all buffers */
  int32_t (*validate)(void* instance, const char* step_json, size_t step_len,
                      pl_buffer* diagnostics_json);
} pl_step_vtable;

/* ---- LLM providers ----------------------------------------------------------------------------
 */

/* request:  {"model", "messages": [{"role", "content"}], "system", "max_tokens", "temperature",
              "top_p", "stop": [...], "stream": bool, "response_format", ...} (docs/abi.md)
   response: {"text", "finish_reason", "input_tokens", "output_tokens", "model", "latency_ms",
              "request_id"}
   error:    on failure, a JSON object {"class", "http_status", "retry_after_ms", "message"} */
typedef struct pl_provider_vtable {
  pl_component_header header;
  /* [thread] per PL_FLAG_CONCURRENT  [owns] host owns request and buffers; streamed text goes
     through ctx->emit("text_delta", ...) */
  int32_t (*complete)(void* instance, const pl_call_context* ctx, const char* request_json,
                      size_t request_len, pl_buffer* response_json, pl_buffer* error_json);
} pl_provider_vtable;

/* ---- Optimizers -------------------------------------------------------------------------------
 */

/* task:   {"step", "signature": {"instructions", "inputs": [{"name", "type", "description",
           "prefix"}], "outputs": [...], "text": "a, b -> c"}, "trainset": [{"inputs": {...},
           "outputs": {...}}], "valset": [...], "metric": "<name>", "params": {...}, "seed": n,
           "program": <the starting candidate>, "budget": {...as pipeline.program's budget()}};
           the optimizer runs and scores candidates only through the "pipeline.program" service,
           passing the ctx optimize() received.
   result: the best candidate, {"instructions", "demos": [...]} (the host builds the program), or a
           program JSON in DSPy's saved shape. Cancelled or out of budget, return the best so far
           with PL_OK: the host keeps it and says why the search stopped. */
typedef struct pl_optimizer_vtable {
  pl_component_header header;
  /* [thread] per PL_FLAG_CONCURRENT  [owns] host owns task and buffers */
  int32_t (*optimize)(void* instance, const pl_call_context* ctx, const char* task_json,
                      size_t task_len, pl_buffer* program_json, pl_buffer* error);
} pl_optimizer_vtable;

/* ---- Cache backends (bytes, no JSON: they sit on the hot path) --------------------------------
 */

typedef struct pl_cache_vtable {
  pl_component_header header;
  /* [thread] per PL_FLAG_CONCURRENT  returns PL_OK and appends the value, or PL_NOT_FOUND on a
     miss, or another status (level unavailable) with a message in `error` */
  int32_t (*get)(void* instance, const char* key, size_t key_len, pl_buffer* value,
                 pl_buffer* error);
  /* [thread] per PL_FLAG_CONCURRENT  ttl_ms <= 0 means no expiry; the plugin copies the bytes */
  int32_t (*put)(void* instance, const char* key, size_t key_len, const char* value,
                 size_t value_len, int64_t ttl_ms, pl_buffer* error);
  /* [thread] per PL_FLAG_CONCURRENT  PL_OK whether or not the key existed */
  int32_t (*erase)(void* instance, const char* key, size_t key_len, pl_buffer* error);
  /* [thread] per PL_FLAG_CONCURRENT  removes every key starting with prefix */
  int32_t (*erase_prefix)(void* instance, const char* prefix, size_t prefix_len, pl_buffer* error);
  /* [thread] any thread  appends a JSON object of counters (entries, bytes, hits, misses, ...) */
  int32_t (*stats)(void* instance, pl_buffer* stats_json);
  /* [thread] any thread  PL_OK when usable; otherwise a status and a reason in `message` */
  int32_t (*health)(void* instance, pl_buffer* message);
} pl_cache_vtable;

/* ---- Metrics sinks ----------------------------------------------------------------------------
 */

typedef struct pl_metrics_sink_vtable {
  pl_component_header header;
  /* [thread] per PL_FLAG_CONCURRENT  record: one execution record as a JSON object */
  int32_t (*record)(void* instance, const char* record_json, size_t record_len, pl_buffer* error);
  /* [thread] per PL_FLAG_CONCURRENT */
  int32_t (*flush)(void* instance, pl_buffer* error);
  /* Optional (may be NULL): a sink with a query side answers history queries, e.g.
     {"workflow", "step", "mode", "limit"} -> JSON array of records. */
  int32_t (*query)(void* instance, const char* query_json, size_t query_len, pl_buffer* result_json,
                   pl_buffer* error);
} pl_metrics_sink_vtable;

/* ---- Host services (looked up by id and version) ----------------------------------------------
 */

/* Every service struct starts with this prefix. */
typedef struct pl_service_header {
  uint32_t struct_size;
  uint32_t version;
  void* host_data; /* pass back as the first argument of the service's functions */
} pl_service_header;

/* "pipeline.completion", version 1: a chat completion through the host, so that caching, routing,
   fallback, cost accounting and metrics apply. request: the provider request JSON plus an optional
   "provider" (instance name; default: the one wired for the calling step type). */
#define PL_SERVICE_COMPLETION "pipeline.completion"
typedef struct pl_completion_service_v1 {
  pl_service_header header;
  /* [thread] any thread, concurrently  [owns] host owns request and buffers */
  int32_t (*complete)(void* host_data, const pl_call_context* ctx, const char* request_json,
                      size_t request_len, pl_buffer* response_json, pl_buffer* error_json);
} pl_completion_service_v1;

/* "pipeline.executor", version 1: lets control-flow steps (loops, nested pipelines) run sub-steps
   through the host, with the same executor, prompts, interpolation, conditions and plugins.
   Work happens in *scopes*: a scope is a child of the calling step's scope (identified by the
   pl_call_context the host passed to that step's execute), sees everything its parent sees, and
   keeps its own step results and variables. A scope is used by one thread at a time; different
   scopes (e.g. parallel loop iterations) may run concurrently.
   All JSON documents are UTF-8 objects; details in docs/config.md ("Step types"). */
#define PL_SERVICE_EXECUTOR "pipeline.executor"
typedef struct pl_executor_service_v1 {
  pl_service_header header;
  /* [thread] any thread  [owns] host owns the scope until close_scope.
     ctx: the context of the calling step (or of a step run inside a scope). options:
     {"variables": {...} set in the new scope, "inputs": {...} replacing inputs.*}.
     Writes the new scope id to *out_scope. */
  int32_t (*open_scope)(void* host_data, const pl_call_context* ctx, const char* options_json,
                        size_t options_len, uint64_t* out_scope, pl_buffer* error);
  /* [thread] one thread per scope  request: {"field": "steps"} (the calling step's own sub-step
     list, validated with the workflow) or {"steps": [...step configs...]}, plus optional
     "variables" to set first. Runs the steps in order inside the scope; response:
     {"success", "results": {step: output}, "skipped": [...], "failed_step", "error"}.
     A failed sub-step is PL_OK with success false; other statuses mean the request was bad. */
  int32_t (*run_steps)(void* host_data, const pl_call_context* ctx, uint64_t scope,
                       const char* request_json, size_t request_len, pl_buffer* response_json,
                       pl_buffer* error);
  /* [thread] one thread per scope  request: {"condition": <string | {and|or|not}>} or
     {"expression": "..."} or {"path": "..."} or {"prompt": [...parts...]} (-> {"text", "parts"})
     or {"render": <JSON with {{...}}>}; response: {"value": <JSON>, "unknown": [...]} */
  int32_t (*evaluate)(void* host_data, uint64_t scope, const char* request_json, size_t request_len,
                      pl_buffer* response_json, pl_buffer* error);
  /* [thread] one thread per scope  releases the scope; appends {"variables": {...},
     "results": {...}} (what the scope itself set) to final_state (may be NULL) */
  int32_t (*close_scope)(void* host_data, uint64_t scope, pl_buffer* final_state);
  /* [thread] any thread  runs a whole workflow as a nested pipeline of the calling step's run:
     {"pipeline_file": "path" | "pipeline": {...inline workflow...}, "inputs": {...},
      "max_depth": n, "inherit_context": bool}; the file is validated first (file:line:col in
     the error), cycles and depths beyond max_depth are refused (PL_FAILED_PRECONDITION).
     response: {"success", "results", "variables", "failed_step", "error", "depth"} */
  int32_t (*run_pipeline)(void* host_data, const pl_call_context* ctx, const char* request_json,
                          size_t request_len, pl_buffer* response_json, pl_buffer* error);
} pl_executor_service_v1;

/* "pipeline.program", version 1 (ABI 1.1): the host side of an optimization. Every call names its
   optimization by `ctx`: pass the context optimize() received (from any thread you start).
   Examples are the task's sets, named {"set": "train" | "val", "index": i}. A *candidate* is one
   predictor's state, {"instructions": "...", "demos": [{"<field>": value, ...}, ...]}; a demo
   carrying "augmented": true is a bootstrapped trace (DSPy's marker). Every LM call made here
   counts against the optimization's budget; once it is spent, run, score and lm return
   PL_RESOURCE_EXHAUSTED, and PL_CANCELLED after a cancel: return the best candidate so far. */
#define PL_SERVICE_PROGRAM "pipeline.program"
typedef struct pl_program_service_v1 {
  pl_service_header header;
  /* [thread] any thread, concurrently  [owns] host owns request and buffers.
     request: {"candidate", "example": {"set", "index"} | "inputs": {...}, "temperature": t,
     "rollout_id": n (a different id is a different cache key), "score": bool}. Runs the candidate
     on one example with the step's adapter, model and provider. response: {"outputs": {...},
     "error": "..." (set, with outputs {}, when the reply did not parse), "score", "feedback"
     (with "score": true and an example), "lm_calls", "cache_hits", "cost_usd"} */
  int32_t (*run)(void* host_data, const pl_call_context* ctx, const char* request_json,
                 size_t request_len, pl_buffer* response_json, pl_buffer* error);
  /* [thread] any thread, concurrently  request: {"example": {"set", "index"}, "outputs": {...}}
     response: {"score": 0..1, "feedback": "..."}, by the step's metric */
  int32_t (*score)(void* host_data, const pl_call_context* ctx, const char* request_json,
                   size_t request_len, pl_buffer* response_json, pl_buffer* error);
  /* [thread] any thread, concurrently  request: {"candidate", "set": "train" | "val", "indices":
     [...] (default: every example of the set), "concurrency": n (default: the optimization's),
     "label": "..." (names it in the report)}. Runs and scores the examples, at most n at a time;
     an example whose reply did not parse scores 0. response: {"score": mean, "results":
     [{"index", "score", "feedback", "outputs", "error"}] in index order, "lm_calls",
     "cache_hits", "cost_usd", "complete": bool, "stopped": "budget" | "cancelled" (when not
     complete: the mean is over the examples that ran)}. Each call is a scored candidate in the
     host's report. */
  int32_t (*evaluate)(void* host_data, const pl_call_context* ctx, const char* request_json,
                      size_t request_len, pl_buffer* response_json, pl_buffer* error);
  /* [thread] any thread, concurrently  a free-form LM call (instruction proposals, reflections):
     {"messages": [{"role", "content"}], "temperature", "rollout_id"} -> {"text"}, or
     {"signature": "a, b -> c", "instructions", "inputs": {...}, "temperature", "rollout_id"} ->
     {"outputs": {...}}, rendered and parsed as DSPy's ChatAdapter does. Served by the step's
     provider unless the task's params name a "prompt_model" / "reflection_lm" instance. */
  int32_t (*lm)(void* host_data, const pl_call_context* ctx, const char* request_json,
                size_t request_len, pl_buffer* response_json, pl_buffer* error);
  /* [thread] any thread  [owns] host copies the event. event: {"stage", "message", "candidate",
     "of", "best_score"} (all optional), shown on the user's progress line. Returns PL_CANCELLED
     once the optimization was cancelled, else PL_OK. */
  int32_t (*progress)(void* host_data, const pl_call_context* ctx, const char* event_json,
                      size_t event_len);
  /* [thread] any thread  appends {"lm_calls", "max_lm_calls", "elapsed_seconds", "max_seconds",
     "cost_usd", "max_cost_usd", "exhausted": bool, "cancelled": bool}; a max of 0 is no limit */
  int32_t (*budget)(void* host_data, const pl_call_context* ctx, pl_buffer* status_json);
} pl_program_service_v1;

/* ---- The host API table (passed to init and create) -------------------------------------------
 */

struct pl_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t reserved;
  pl_host* host; /* pass back as the first argument below */
  /* [thread] any thread  [owns] host copies the message (and redacts secrets in it) */
  void (*log)(pl_host* host, int32_t level, const char* message, size_t message_len);
  /* [thread] only during init  [owns] vtable stays plugin-owned, static storage. Returns
     PL_ALREADY_EXISTS for a duplicate (kind, name), PL_INVALID_ARGUMENT for a malformed vtable. */
  int32_t (*register_component)(pl_host* host, const pl_component_header* component);
  /* [thread] any thread  returns the service struct (starting with pl_service_header) or NULL when
     this host has no such service at that version or newer. Host-owned, valid until unload. */
  const pl_service_header* (*get_service)(pl_host* host, const char* id, uint32_t min_version);
};

/* ---- Entry points -----------------------------------------------------------------------------
 */

/* Side-effect free; may be called before init, several times. Returns static storage. */
typedef const pl_plugin_info* (*pl_query_fn)(void);
/* Called once after the host checked the ABI version; registers components. */
typedef int32_t (*pl_init_fn)(const pl_host_api* host, pl_buffer* error);
/* Optional; called once before the library is unloaded, after every instance was destroyed. */
typedef void (*pl_shutdown_fn)(void);

/* ---- Layout checks (the ABI must not drift; a C test compiles these under -std=c99) ---------- */

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define PL_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#elif defined(__cplusplus)
#define PL_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PL_STATIC_ASSERT_JOIN2(a, b) a##b
#define PL_STATIC_ASSERT_JOIN(a, b) PL_STATIC_ASSERT_JOIN2(a, b)
#define PL_STATIC_ASSERT(cond, msg) \
  typedef char PL_STATIC_ASSERT_JOIN(pl_static_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
PL_STATIC_ASSERT(sizeof(pl_plugin_info) == 40, "pl_plugin_info layout");
PL_STATIC_ASSERT(offsetof(pl_plugin_info, name) == 16, "pl_plugin_info.name");
PL_STATIC_ASSERT(sizeof(pl_call_context) == 40, "pl_call_context layout");
PL_STATIC_ASSERT(sizeof(pl_component_header) == 72, "pl_component_header layout");
PL_STATIC_ASSERT(offsetof(pl_component_header, create) == 56, "pl_component_header.create");
PL_STATIC_ASSERT(sizeof(pl_step_vtable) == 88, "pl_step_vtable layout");
PL_STATIC_ASSERT(sizeof(pl_provider_vtable) == 80, "pl_provider_vtable layout");
PL_STATIC_ASSERT(sizeof(pl_optimizer_vtable) == 80, "pl_optimizer_vtable layout");
PL_STATIC_ASSERT(sizeof(pl_cache_vtable) == 120, "pl_cache_vtable layout");
PL_STATIC_ASSERT(sizeof(pl_metrics_sink_vtable) == 96, "pl_metrics_sink_vtable layout");
PL_STATIC_ASSERT(sizeof(pl_service_header) == 16, "pl_service_header layout");
PL_STATIC_ASSERT(sizeof(pl_completion_service_v1) == 24, "pl_completion_service_v1 layout");
PL_STATIC_ASSERT(sizeof(pl_executor_service_v1) == 56, "pl_executor_service_v1 layout");
PL_STATIC_ASSERT(offsetof(pl_executor_service_v1, run_pipeline) == 48,
                 "pl_executor_service_v1.run_pipeline");
PL_STATIC_ASSERT(sizeof(pl_program_service_v1) == 64, "pl_program_service_v1 layout");
PL_STATIC_ASSERT(offsetof(pl_program_service_v1, budget) == 56, "pl_program_service_v1.budget");
PL_STATIC_ASSERT(sizeof(pl_host_api) == 48, "pl_host_api layout");
PL_STATIC_ASSERT(offsetof(pl_host_api, get_service) == 40, "pl_host_api.get_service");
PL_STATIC_ASSERT(sizeof(pl_buffer) == 32, "pl_buffer layout");
#endif

#ifdef __cplusplus
}
#endif

#endif /* PIPELINE_PLUGIN_H */
