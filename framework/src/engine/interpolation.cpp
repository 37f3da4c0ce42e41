#include <pipeline/engine/interpolation.hpp>

namespace pipeline {

namespace {

struct Placeholder {
  std::size_t begin;  // position of "{{"
  std::size_t end;    // one past "}}"
  std::string_view expr;
};

std::vector<Placeholder> scan(std::string_view text) {
  std::vector<Placeholder> out;
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    std::size_t close = text.find("}}", pos + 2);
    if (close == std::string_view::npos) break;
    std::string_view expr = text.substr(pos + 2, close - pos - 2);
    while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.front())))
      expr.remove_prefix(1);
    while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.back())))
      expr.remove_suffix(1);
    out.push_back({pos, close + 2, expr});
    pos = close + 2;
  }
  return out;
}

}  // namespace

bool has_placeholders(std::string_view text) {
  return !scan(text).empty();
}

std::vector<std::string> placeholders(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& p : scan(text)) out.emplace_back(p.expr);
  return out;
}

Result<json::value> Interpolator::render(std::string_view text) const {
  auto found = scan(text);
  if (found.empty()) return json::value(json::string(text));
  auto eval = [&](const Placeholder& p) -> Result<json::value> {
    auto e = Expression::parse(p.expr);
    if (!e) return invalid_argument("in {{" + std::string(p.expr) + "}}: " + e.status().message());
    auto v = e->evaluate(resolve_, on_unknown_, cancelled_);
    if (!v && v.status().code() == StatusCode::kCancelled) return v;
    if (!v) return invalid_argument("in {{" + std::string(p.expr) + "}}: " + v.status().message());
    return v;
  };
  // A string that is exactly one placeholder keeps the value's type (numbers, lists, maps).
  if (found.size() == 1 && found[0].begin == 0 && found[0].end == text.size()) {
    return eval(found[0]);
  }
  std::string out;
  std::size_t last = 0;
  for (const auto& p : found) {
    out.append(text.substr(last, p.begin - last));
    auto v = eval(p);
    if (!v) return v;
    out += to_text(*v);
    last = p.end;
  }
  out.append(text.substr(last));
  return json::value(json::string(out));
}

Result<json::value> Interpolator::render_value(
    const json::value& v, const std::set<std::string, std::less<>>& skip_keys) const {
  switch (v.kind()) {
    case json::kind::string:
      if (cancelled_ && cancelled_()) {
        return Status(StatusCode::kCancelled, "cancelled while rendering a step");
      }
      return render(v.get_string());
    case json::kind::array: {
      json::array out;
      out.reserve(v.get_array().size());
      for (const auto& e : v.get_array()) {
        auto r = render_value(e, skip_keys);
        if (!r) return r;
        out.push_back(std::move(*r));
      }
      return json::value(std::move(out));
    }
    case json::kind::object: {
      json::object out;
      for (const auto& kv : v.get_object()) {
        if (skip_keys.count(kv.key())) {
          out[kv.key()] = kv.value();
          continue;
        }
        auto r = render_value(kv.value(), skip_keys);
        if (!r) return r;
        out[kv.key()] = std::move(*r);
      }
      return json::value(std::move(out));
    }
    default:
      return v;
  }
}

}  // namespace pipeline
