// Writing Prometheus' text exposition format (version 0.0.4): HELP and TYPE lines, samples with
// escaped label values, numbers that parse back to the same double. No state; shared by the
// listener, the textfile and the pushes, which all render the same registry.
//
//   ExpositionWriter w;
//   w.family("pipeline_step_executions_total", "counter", "Step executions.");
//   w.sample("pipeline_step_executions_total", {{"workflow", "triage"}}, 3);
//   std::string text = std::move(w).text();
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::metrics_prometheus {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// A label value as the format wants it: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
// HELP text: backslash and line feed escaped (quotes stay).
std::string escape_help(std::string_view help);
// The shortest text that reads back as `v` ("+Inf", "-Inf", "NaN" for the special values).
std::string format_number(double v);

class ExpositionWriter {
 public:
  // The HELP and TYPE lines of a family; its samples follow.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // name{labels...} value; `extra` (e.g. le) goes after `labels`.
  void sample(std::string_view name, const Labels& labels, double value,
              std::pair<std::string_view, std::string_view> extra = {});
  std::string text() && { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace pipeline::metrics_prometheus
