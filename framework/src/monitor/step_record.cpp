#include <pipeline/monitor/step_record.hpp>

namespace pipeline {

json::object StepRecord::to_json() const {
  json::object o{{"workflow", workflow},
                 {"step", step},
                 {"run_id", run_id},
                 {"episode", episode},
                 {"mode", mode},
                 {"variant", variant},
                 {"signature_hash", signature_hash},
                 {"provider", provider},
                 {"model", model},
                 {"latency_ms", latency_ms},
                 {"host_overhead_ms", host_overhead_ms},
                 {"input_tokens", input_tokens},
                 {"output_tokens", output_tokens},
                 {"cost_usd", cost_usd},
                 {"quality", quality ? json::value(*quality) : json::value(nullptr)},
                 {"metric", metric},
                 {"success", success},
                 {"error_class", error_class},
                 {"fallback_hops", fallback_hops},
                 {"cache_hit", cache_hit},
                 {"program_id", program_id},
                 {"source", source},
                 {"unix_ms", unix_ms}};
  return o;
}

namespace {

// Reads one member into `out`; a missing member keeps the default (older sinks may lack newer
// members), a mistyped one is an error naming it.
struct Reader {
  const json::object& o;
  Status status = Status::ok_status();

  void str(const char* key, std::string& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return;
    if (!v->is_string()) return fail(key, "a string");
    out = std::string(v->get_string());
  }
  void num(const char* key, double& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return;
    if (v->is_double()) {
      out = v->get_double();
    } else if (v->is_int64()) {
      out = static_cast<double>(v->get_int64());
    } else if (v->is_uint64()) {
      out = static_cast<double>(v->get_uint64());
    } else {
      fail(key, "a number");
    }
  }
  void integer(const char* key, std::int64_t& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return;
    if (v->is_int64()) {
      out = v->get_int64();
    } else if (v->is_uint64()) {
      out = static_cast<std::int64_t>(v->get_uint64());
    } else if (v->is_double() &&
               v->get_double() == static_cast<double>(static_cast<std::int64_t>(v->get_double()))) {
      out = static_cast<std::int64_t>(v->get_double());
    } else {
      fail(key, "an integer");
    }
  }
  void boolean(const char* key, bool& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return;
    if (v->is_bool()) {
      out = v->get_bool();
    } else if (v->is_int64()) {  // SQLite stores booleans as 0/1
      out = v->get_int64() != 0;
    } else {
      fail(key, "a boolean");
    }
  }
  void fail(const char* key, const char* expected) {
    if (status.ok())
      status = invalid_argument(std::string("execution record: '") + key + "' must be " + expected);
  }
};

}  // namespace

Result<StepRecord> StepRecord::from_json(const json::value& v) {
  if (!v.is_object()) return invalid_argument("execution record: expected a JSON object");
  StepRecord r;
  Reader rd{v.get_object()};
  rd.str("workflow", r.workflow);
  rd.str("step", r.step);
  rd.str("run_id", r.run_id);
  rd.str("episode", r.episode);
  rd.str("mode", r.mode);
  rd.str("variant", r.variant);
  rd.str("signature_hash", r.signature_hash);
  rd.str("provider", r.provider);
  rd.str("model", r.model);
  rd.num("latency_ms", r.latency_ms);
  rd.num("host_overhead_ms", r.host_overhead_ms);
  rd.integer("input_tokens", r.input_tokens);
  rd.integer("output_tokens", r.output_tokens);
  rd.num("cost_usd", r.cost_usd);
  if (const auto* q = v.get_object().if_contains("quality"); q && !q->is_null()) {
    double d = 0;
    rd.num("quality", d);
    r.quality = d;
  }
  rd.str("metric", r.metric);
  rd.boolean("success", r.success);
  rd.str("error_class", r.error_class);
  rd.integer("fallback_hops", r.fallback_hops);
  rd.boolean("cache_hit", r.cache_hit);
  rd.str("program_id", r.program_id);
  rd.str("source", r.source);
  rd.integer("unix_ms", r.unix_ms);
  if (!rd.status.ok()) return rd.status;
  if (r.workflow.empty() || r.step.empty())
    return invalid_argument("execution record: 'workflow' and 'step' are required");
  return r;
}

}  // namespace pipeline
