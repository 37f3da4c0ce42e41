#include <pipeline/json.hpp>
#include <pipeline/sdk/limits.hpp>

#include <algorithm>
#include <charconv>
#include <vector>

namespace pipeline {

Result<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.allow_invalid_utf8 = false;
  opts.max_depth = limits::kMaxJsonDepth;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) {
    // Boost.JSON does not report an offset; find it by feeding the parser ourselves.
    json::stream_parser p({}, opts);
    std::size_t consumed = p.write_some(text.data(), text.size(), ec);
    return invalid_argument("invalid JSON at byte " + std::to_string(consumed) + ": " +
                            ec.message());
  }
  return v;
}

namespace {
void write_canonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const json::key_value_pair*> items;
      items.reserve(o.size());
      for (const auto& kv : o) items.push_back(&kv);
      std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string(kv->key()));
        out += ':';
        write_canonical(kv->value(), out);
      }
      out += '}';
      break;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_canonical(e, out);
      }
      out += ']';
      break;
    }
    default:
      out += json::serialize(v);
  }
}
}  // namespace

std::string canonical_json(const json::value& v) {
  std::string out;
  write_canonical(v, out);
  return out;
}

const json::value* get_path(const json::value& root, std::string_view dot_path) {
  const json::value* cur = &root;
  while (!dot_path.empty()) {
    auto dot = dot_path.find('.');
    std::string_view part = dot_path.substr(0, dot);
    dot_path = dot == std::string_view::npos ? std::string_view{} : dot_path.substr(dot + 1);
    if (part.empty()) continue;
    if (const auto* o = cur->if_object()) {
      auto it = o->find(part);
      if (it == o->end()) return nullptr;
      cur = &it->value();
    } else if (const auto* a = cur->if_array()) {
      std::size_t idx = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), idx);
      if (ec != std::errc() || p != part.data() + part.size() || idx >= a->size()) return nullptr;
      cur = &(*a)[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

std::string to_text(const json::value& v) {
  if (const auto* s = v.if_string()) return std::string(*s);
  if (v.is_null()) return {};
  return json::serialize(v);
}

std::string get_string(const json::object& o, std::string_view key, std::string_view fallback) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::string(fallback);
  return std::string(it->value().get_string());
}

}  // namespace pipeline
