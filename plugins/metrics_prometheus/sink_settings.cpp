#include "sink_settings.hpp"

#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>
#include "cache_common/config_field.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "step_metrics.hpp"

namespace pipeline::metrics_prometheus {

namespace {

namespace json = boost::json;
using sdk::Error;

[[noreturn]] void refuse(const std::string& message) {
  throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": " + message);
}

std::string string_field(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return {};
  if (!v->is_string() || v->get_string().empty())
    refuse(std::string("'") + name + "' must be a non-empty string");
  return std::string(v->get_string());
}

// "HOST:PORT", "[V6]:PORT"; the port in 0..65535.
void parse_listen(const std::string& text, SinkSettings& s) {
  const auto colon = text.rfind(':');
  auto bad = [&](const std::string& why) {
    refuse("'listen' must be HOST:PORT (e.g. 127.0.0.1:9464, port 0 for any free port); '" + text +
           "' " + why);
  };
  if (colon == std::string::npos) bad("has no port");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) bad("has no host (0.0.0.0 listens on every interface)");
  const std::string port = text.substr(colon + 1);
  int n = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n < 0 || n > 65535)
    bad("has no port number in 0..65535");
  s.listen_host = host;
  s.listen_port = n;
}

std::vector<double> buckets_field(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return {};
  const std::string why = std::string("'") + name +
                          "' must be a non-empty array of increasing, finite upper bounds in "
                          "seconds (the +Inf bucket is implied)";
  if (!v->is_array() || v->get_array().empty()) refuse(why);
  std::vector<double> out;
  for (const auto& b : v->get_array()) {
    if (!b.is_number()) refuse(why);
    const double d = b.to_number<double>();
    if (!std::isfinite(d) || (!out.empty() && d <= out.back())) refuse(why);
    out.push_back(d);
  }
  return out;
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

SinkSettings parse_sink_settings(std::string_view config_json) {
  boost::system::error_code ec;
  json::value v = sdk::parse_json(config_json.empty() ? std::string_view("{}") : config_json, ec);
  if (ec || !v.is_object()) refuse("config must be a JSON object");
  const json::object& o = v.get_object();
  static constexpr std::string_view known[] = {"listen",          "listen_file",
                                               "pushgateway",     "job",
                                               "instance",        "textfile",
                                               "max_series",      "push_timeout_ms",
                                               "latency_buckets", "host_overhead_buckets"};
  for (const auto& kv : o) {
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known)) {
      refuse("unknown config key '" + std::string(kv.key()) +
             "' (known: listen, listen_file, pushgateway, job, instance, push_timeout_ms, "
             "textfile, max_series, latency_buckets, host_overhead_buckets)");
    }
  }
  SinkSettings s;
  if (std::string listen = string_field(o, "listen"); !listen.empty()) parse_listen(listen, s);
  s.listen_file = string_field(o, "listen_file");
  if (!s.listen_file.empty() && !s.listens())
    refuse("'listen_file' needs 'listen' (it receives the address the endpoint bound)");

  s.pushgateway = string_field(o, "pushgateway");
  if (!s.pushgateway.empty()) {
    if (s.pushgateway.rfind("http://", 0) != 0 && s.pushgateway.rfind("https://", 0) != 0)
      refuse(
          "'pushgateway' must be an http:// or https:// URL (e.g. http://localhost:9091), "
          "found '" +
          s.pushgateway + "'");
    while (s.pushgateway.back() == '/') s.pushgateway.pop_back();
    if (s.pushgateway.find("/metrics/") != std::string::npos)
      refuse(
          "'pushgateway' is the Pushgateway's base URL; the sink adds /metrics/job/... "
          "itself");
  }
  if (o.contains("job")) s.job = string_field(o, "job");
  s.instance = o.contains("instance") ? string_field(o, "instance") : this_host();
  using cache_common::int_field;
  s.push_timeout_ms = int_field(o, "push_timeout_ms", s.push_timeout_ms, 1, kWho);
  if ((o.contains("job") || o.contains("instance")) && s.pushgateway.empty())
    refuse("'job' and 'instance' need 'pushgateway' (they form its grouping key)");

  s.textfile = string_field(o, "textfile");
  if (!s.textfile.empty() && !s.textfile.ends_with(".prom"))
    refuse(
        "'textfile' must name a .prom file (node_exporter's textfile collector reads only "
        "*.prom), found '" +
        s.textfile + "'");

  s.max_series = static_cast<std::size_t>(
      int_field(o, "max_series", static_cast<std::int64_t>(s.max_series), 1, kWho));
  s.latency_buckets = buckets_field(o, "latency_buckets");
  s.host_overhead_buckets = buckets_field(o, "host_overhead_buckets");

  if (!s.listens() && s.pushgateway.empty() && s.textfile.empty())
    refuse(
        "give at least one of 'listen' (an HTTP /metrics endpoint), 'pushgateway' (a URL to "
        "push to) or 'textfile' (a .prom file)");
  return s;
}

}  // namespace pipeline::metrics_prometheus
