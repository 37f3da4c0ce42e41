#include "exposition_text.hpp"

#include <charconv>
#include <cmath>

namespace pipeline::metrics_prometheus {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Whole numbers (the counters) as integers; others in the shortest form that reads back the
  // same, fixed for ordinary magnitudes (le="0.0001", not "1e-04").
  if (std::fabs(v) < 9007199254740992.0 && v == std::floor(v))
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void ExpositionWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void ExpositionWriter::sample(std::string_view name, const Labels& labels, double value,
                              std::pair<std::string_view, std::string_view> extra) {
  out_ += name;
  bool first = true;
  auto label = [&](std::string_view k, std::string_view v) {
    out_ += first ? '{' : ',';
    first = false;
    out_ += k;
    out_ += "=\"";
    out_ += escape_label_value(v);
    out_ += '"';
  };
  for (const auto& [k, v] : labels) label(k, v);
  if (!extra.first.empty()) label(extra.first, extra.second);
  if (!first) out_ += '}';
  out_ += ' ';
  out_ += format_number(value);
  out_ += '\n';
}

}  // namespace pipeline::metrics_prometheus
