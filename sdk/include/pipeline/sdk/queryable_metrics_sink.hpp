// A metrics sink with a query side (the history the host's router reads): implement record,
// flush and query, register it with add_queryable_metrics_sink. The vtable is the plain sink's
// with its optional `query` filled; a plain sdk::MetricsSink leaves it NULL.
//
//   class MySink : public pipeline::sdk::QueryableMetricsSink { ... };
//   PIPELINE_PLUGIN("my_sink", "1.0.0", "...") {
//     pipeline::sdk::add_queryable_metrics_sink<MySink>(r, "mine", "1.0.0", 0);
//   }
#ifndef PIPELINE_SDK_QUERYABLE_METRICS_SINK_HPP
#define PIPELINE_SDK_QUERYABLE_METRICS_SINK_HPP

#include <pipeline/plugin.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace pipeline::sdk {

class QueryableMetricsSink : public MetricsSink {
 public:
  using MetricsSink::MetricsSink;
  // Returns a JSON array of records for a query document (docs/observability.md, "The query
  // side"); throw Error to refuse the query.
  virtual std::string query(std::string_view query_json) = 0;
};

namespace detail {

template <class T>
const pl_component_header* queryable_sink_vtable(const char* name, const char* version,
                                                 uint32_t flags, const char* description,
                                                 const char* config_schema_json) {
  static pl_metrics_sink_vtable v = [&] {
    pl_metrics_sink_vtable t = *reinterpret_cast<const pl_metrics_sink_vtable*>(
        sink_vtable<T>(name, version, flags, description, config_schema_json));
    t.query = [](void* inst, const char* q, size_t n, pl_buffer* out, pl_buffer* err) -> int32_t {
      // Built whole before it is appended: a failed query leaves the host's buffer empty.
      std::string answer;
      int32_t st =
          guard(err, [&] { answer = static_cast<T*>(inst)->query(std::string_view(q, n)); });
      if (st == PL_OK) append(out, answer);
      return st;
    };
    return t;
  }();
  return &v.header;
}

}  // namespace detail

// Registers T (a QueryableMetricsSink) like Registrar::add_metrics_sink does a plain one.
template <class T>
void add_queryable_metrics_sink(Registrar& r, const char* name, const char* version,
                                uint32_t flags = PL_FLAG_CONCURRENT,
                                const char* description = nullptr,
                                const char* config_schema_json = nullptr) {
  static_assert(std::is_base_of_v<QueryableMetricsSink, T>, "T must be a QueryableMetricsSink");
  const pl_component_header* h =
      detail::queryable_sink_vtable<T>(name, version, flags, description, config_schema_json);
  const pl_host_api* api = r.host().api();
  int32_t st = api->register_component(api->host, h);
  if (st != PL_OK) throw Error(st, std::string("cannot register component '") + h->name + "'");
}

}  // namespace pipeline::sdk

#endif  // PIPELINE_SDK_QUERYABLE_METRICS_SINK_HPP
