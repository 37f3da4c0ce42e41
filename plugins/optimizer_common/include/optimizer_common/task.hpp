// The task an optimizer receives (plugin.h, pl_optimizer_vtable): the step's signature, the
// training and validation sets, the parameters and the seed. Parameters are read through Params,
// which refuses unknown names and values out of range with a message naming the parameter, so a
// typo in `--param` is an error, not a silent default.
//
//   Task task = Task::parse(task_json);
//   Params p(task.params, "bootstrap_few_shot");
//   auto k = p.integer("max_bootstrapped_demos", 4, 0, 100);
//   p.finish();   // throws for any parameter nobody asked for
#pragma once

#include <optimizer_common/candidate.hpp>
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::optimizer {

struct TaskExample {
  boost::json::object inputs;
  boost::json::object outputs;
  // Inputs and outputs as one flat object: the shape of a labelled demo.
  boost::json::object flat() const {
    boost::json::object o = inputs;
    for (const auto& kv : outputs) o[kv.key()] = kv.value();
    return o;
  }
};

struct Task {
  std::string step;
  boost::json::object signature;  // {"instructions", "inputs", "outputs", "text"}
  std::vector<TaskExample> trainset;
  std::vector<TaskExample> valset;
  std::string metric;
  boost::json::object params;
  std::uint64_t seed = 0;
  Candidate start;  // the program as written (usually the signature's instructions, no demos)

  std::vector<std::string> input_names() const { return names("inputs"); }
  std::vector<std::string> output_names() const { return names("outputs"); }

  static Task parse(std::string_view json_text) {
    boost::system::error_code ec;
    boost::json::value v = sdk::parse_json(json_text, ec);
    if (ec || !v.is_object())
      throw sdk::Error(PL_INVALID_ARGUMENT, "the task is not a JSON object");
    const auto& o = v.get_object();
    Task t;
    if (const auto* s = o.if_contains("step"); s && s->is_string())
      t.step = std::string(s->get_string());
    if (const auto* s = o.if_contains("signature"); s && s->is_object())
      t.signature = s->get_object();
    t.trainset = examples(o, "trainset");
    t.valset = examples(o, "valset");
    if (const auto* m = o.if_contains("metric"); m && m->is_string())
      t.metric = std::string(m->get_string());
    if (const auto* p = o.if_contains("params"); p && p->is_object()) t.params = p->get_object();
    if (const auto* s = o.if_contains("seed")) {
      if (s->is_uint64())
        t.seed = s->get_uint64();
      else if (s->is_int64() && s->get_int64() >= 0)
        t.seed = static_cast<std::uint64_t>(s->get_int64());
    }
    if (const auto* p = o.if_contains("program")) t.start = Candidate::from_json(*p);
    if (t.start.instructions.empty()) {
      if (const auto* i = t.signature.if_contains("instructions"); i && i->is_string())
        t.start.instructions = std::string(i->get_string());
    }
    return t;
  }

 private:
  std::vector<std::string> names(const char* key) const {
    std::vector<std::string> out;
    if (const auto* a = signature.if_contains(key); a && a->is_array()) {
      for (const auto& f : a->get_array()) {
        if (const auto* n = f.is_object() ? f.get_object().if_contains("name") : nullptr;
            n && n->is_string())
          out.emplace_back(n->get_string());
      }
    }
    return out;
  }
  static std::vector<TaskExample> examples(const boost::json::object& o, const char* key) {
    std::vector<TaskExample> out;
    const auto* a = o.if_contains(key);
    if (a == nullptr) return out;
    if (!a->is_array())
      throw sdk::Error(PL_INVALID_ARGUMENT, std::string("task.") + key + " is not an array");
    for (const auto& e : a->get_array()) {
      TaskExample ex;
      if (const auto* eo = e.if_object()) {
        if (const auto* i = eo->if_contains("inputs"); i && i->is_object())
          ex.inputs = i->get_object();
        if (const auto* p = eo->if_contains("outputs"); p && p->is_object())
          ex.outputs = p->get_object();
      }
      out.push_back(std::move(ex));
    }
    return out;
  }
};

// Typed access to task.params; every accessor records the name so finish() can refuse the rest.
class Params {
 public:
  Params(const boost::json::object& params, std::string optimizer)
      : params_(params), optimizer_(std::move(optimizer)) {}

  std::int64_t integer(std::string_view name, std::int64_t def, std::int64_t lo, std::int64_t hi) {
    const boost::json::value* v = find(name);
    if (v == nullptr || v->is_null()) return def;
    std::int64_t x = 0;
    if (v->is_int64())
      x = v->get_int64();
    else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      x = static_cast<std::int64_t>(v->get_uint64());
    else if (v->is_double() &&
             v->get_double() == static_cast<double>(static_cast<std::int64_t>(v->get_double())))
      x = static_cast<std::int64_t>(v->get_double());
    else if (v->is_string() && parse_int(v->get_string(), x)) {
    } else
      fail(name, "must be an integer");
    if (x < lo || x > hi)
      fail(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
                     std::to_string(x) + ")");
    return x;
  }

  double number(std::string_view name, double def, double lo, double hi) {
    const boost::json::value* v = find(name);
    if (v == nullptr || v->is_null()) return def;
    double x = 0;
    if (v->is_double())
      x = v->get_double();
    else if (v->is_int64())
      x = static_cast<double>(v->get_int64());
    else if (v->is_uint64())
      x = static_cast<double>(v->get_uint64());
    else if (v->is_string() && parse_double(v->get_string(), x)) {
    } else
      fail(name, "must be a number");
    if (!(x >= lo && x <= hi)) fail(name, "must be between " + fmt(lo) + " and " + fmt(hi));
    return x;
  }

  bool boolean(std::string_view name, bool def) {
    const boost::json::value* v = find(name);
    if (v == nullptr || v->is_null()) return def;
    if (v->is_bool()) return v->get_bool();
    if (v->is_string()) {
      std::string_view s = v->get_string();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    fail(name, "must be true or false");
  }

  // `allowed` empty: any string.
  std::string text(std::string_view name, std::string def,
                   const std::vector<std::string>& allowed = {}) {
    const boost::json::value* v = find(name);
    if (v == nullptr || v->is_null()) return def;
    if (!v->is_string()) fail(name, "must be a string");
    std::string s(v->get_string());
    if (!allowed.empty()) {
      bool ok = false;
      std::string list;
      for (const auto& a : allowed) {
        ok = ok || a == s;
        list += (list.empty() ? "" : ", ") + a;
      }
      if (!ok) fail(name, "must be one of " + list + " (got '" + s + "')");
    }
    return s;
  }

  // The raw value, for parameters with a structure of their own (nullptr when absent).
  const boost::json::value* raw(std::string_view name) { return find(name); }

  // Throws for a parameter no accessor asked for, naming what this optimizer knows.
  void finish() const {
    for (const auto& kv : params_) {
      if (!seen_.count(std::string(kv.key()))) {
        std::string known;
        for (const auto& s : seen_) known += (known.empty() ? "" : ", ") + s;
        throw sdk::Error(PL_INVALID_ARGUMENT, optimizer_ + ": unknown parameter '" +
                                                  std::string(kv.key()) + "' (known: " + known +
                                                  ")");
      }
    }
  }

 private:
  const boost::json::value* find(std::string_view name) {
    seen_.insert(std::string(name));
    return params_.if_contains(name);
  }
  [[noreturn]] void fail(std::string_view name, const std::string& why) const {
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     optimizer_ + ": parameter '" + std::string(name) + "' " + why);
  }
  static bool parse_int(std::string_view s, std::int64_t& out) {
    if (s.empty()) return false;
    std::size_t i = 0;
    bool neg = s[0] == '-';
    if (neg) i = 1;
    if (i == s.size()) return false;
    std::int64_t x = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9' || x > (INT64_MAX - 9) / 10) return false;
      x = x * 10 + (s[i] - '0');
    }
    out = neg ? -x : x;
    return true;
  }
  static bool parse_double(std::string_view s, double& out) {
    std::string copy(s);
    char* end = nullptr;
    out = std::strtod(copy.c_str(), &end);
    return !copy.empty() && end == copy.c_str() + copy.size();
  }
  static std::string fmt(double x) {
    std::string s = std::to_string(x);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  const boost::json::object& params_;
  std::string optimizer_;
  std::set<std::string> seen_;
};

}  // namespace pipeline::optimizer
