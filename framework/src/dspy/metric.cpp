#include <pipeline/dspy/metric.hpp>

#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_schema.hpp>
#include <pipeline/dspy/python_text.hpp>
#include <pipeline/dspy/value_parse.hpp>

#include <re2/re2.h>
#include <utf8proc.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace pipeline::dspy {

namespace {

std::vector<utf8proc_int32_t> decode(std::string_view s) {
  std::vector<utf8proc_int32_t> cps;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: skip it, as valid_utf8 would replace it
      ++p;
      --left;
      continue;
    }
    cps.push_back(cp);
    p += n;
    left -= n;
  }
  return cps;
}

void encode(utf8proc_int32_t cp, std::string& out) {
  utf8proc_uint8_t buf[4];
  auto n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// Python's str.isalnum() or '_' : what \w matches in a str pattern. Combining marks are not
// word characters, so after NFD "thé" still holds the word "the" (DSPy's quirk, kept).
bool is_word(utf8proc_int32_t cp) {
  if (cp == '_') return true;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Python's str.split() whitespace.
bool is_space(utf8proc_int32_t cp) {
  if ((cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85) return true;
  auto c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

bool is_ascii_punct(utf8proc_int32_t cp) {
  return cp < 0x80 && std::ispunct(static_cast<int>(cp));
}

std::vector<std::string> tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (auto cp : decode(normalize_text(s))) {
    if (cp == ' ') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      encode(cp, cur);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Expected values may list several acceptable answers, as DSPy's answer_exact_match allows.
std::vector<std::string> references(const json::value& expected) {
  std::vector<std::string> out;
  if (const auto* a = expected.if_array()) {
    for (const auto& e : *a) out.push_back(python_str(e));
  } else {
    out.push_back(python_str(expected));
  }
  return out;
}

std::string short_text(const std::string& s) {
  return s.size() <= 80 ? s : s.substr(0, 77) + "...";
}

std::optional<double> number_in(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.get_string();
  // The first number in the text ("about 42 km" -> 42), since replies wrap numbers in words.
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!(std::isdigit(static_cast<unsigned char>(s[i])) ||
          ((s[i] == '-' || s[i] == '.') && i + 1 < s.size() &&
           std::isdigit(static_cast<unsigned char>(s[i + 1])))))
      continue;
    std::string digits;
    for (std::size_t j = i; j < s.size(); ++j) {
      char c = s[j];
      if (c == ',') continue;
      if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == 'e' ||
          c == 'E')
        digits += c;
      else
        break;
    }
    double d = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (r.ec == std::errc()) return d;
    return std::nullopt;
  }
  return std::nullopt;
}

class FieldMetric : public Metric {
 public:
  FieldMetric(std::string type, std::string field)
      : type_(std::move(type)), field_(std::move(field)) {}
  std::string name() const override { return type_ + ":" + field_; }

 protected:
  // The predicted and expected values of the field; a missing prediction scores 0 with a reason.
  const json::value* predicted(const MetricInput& in) const {
    return in.predicted.if_contains(field_);
  }
  const json::value* expected(const MetricInput& in) const {
    return in.expected.if_contains(field_);
  }
  std::string type_;
  std::string field_;
};

MetricScore missing(const std::string& what, const std::string& field) {
  return {0, "no " + what + " value for '" + field + "'"};
}

class ExactMatch : public FieldMetric {
 public:
  using FieldMetric::FieldMetric;
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    const auto* e = expected(in);
    if (!p) return missing("predicted", field_);
    if (!e) return missing("expected", field_);
    std::string pred = normalize_text(python_str(*p));
    for (const auto& ref : references(*e))
      if (normalize_text(ref) == pred) return MetricScore{1, ""};
    return MetricScore{0, "expected '" + short_text(python_str(*e)) + "', got '" +
                              short_text(python_str(*p)) + "'"};
  }
};

class F1 : public FieldMetric {
 public:
  using FieldMetric::FieldMetric;
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    const auto* e = expected(in);
    if (!p) return missing("predicted", field_);
    if (!e) return missing("expected", field_);
    double best = 0;
    for (const auto& ref : references(*e)) best = std::max(best, f1_score(python_str(*p), ref));
    std::string fb = best < 1 ? "token F1 " + python_float_repr(std::round(best * 1000) / 1000) +
                                    " against '" + short_text(python_str(*e)) + "'"
                              : "";
    return MetricScore{best, fb};
  }
};

class Contains : public FieldMetric {
 public:
  Contains(std::string field, bool ignore_case)
      : FieldMetric("contains", std::move(field)), ignore_case_(ignore_case) {}
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    const auto* e = expected(in);
    if (!p) return missing("predicted", field_);
    if (!e) return missing("expected", field_);
    std::string pred = prepare(python_str(*p));
    for (const auto& ref : references(*e))
      if (pred.find(prepare(ref)) != std::string::npos) return MetricScore{1, ""};
    return MetricScore{0, "'" + short_text(python_str(*e)) + "' does not occur in the prediction"};
  }

 private:
  std::string prepare(std::string s) const {
    if (!ignore_case_) return s;
    std::string out;
    for (auto cp : decode(s)) encode(utf8proc_tolower(cp), out);
    return out;
  }
  bool ignore_case_;
};

class Regex : public FieldMetric {
 public:
  Regex(std::string field, std::unique_ptr<RE2> re)
      : FieldMetric("regex", std::move(field)), re_(std::move(re)) {}
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    if (!p) return missing("predicted", field_);
    std::string text = python_str(*p);
    if (RE2::PartialMatch(text, *re_)) return MetricScore{1, ""};
    return MetricScore{0, "'" + short_text(text) + "' does not match /" + re_->pattern() + "/"};
  }

 private:
  std::unique_ptr<RE2> re_;
};

class JsonValid : public FieldMetric {
 public:
  using FieldMetric::FieldMetric;
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    if (!p) return missing("predicted", field_);
    if (!p->is_string()) return MetricScore{1, ""};
    auto doc = parse_json(p->get_string());
    if (doc) return MetricScore{1, ""};
    return MetricScore{0, "not valid JSON: " + doc.status().message()};
  }
};

class JsonSchemaMetric : public FieldMetric {
 public:
  JsonSchemaMetric(std::string field, json::value schema)
      : FieldMetric("json_schema", std::move(field)), schema_(std::move(schema)) {}
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    if (!p) return missing("predicted", field_);
    json::value v = *p;
    if (p->is_string()) {
      auto doc = parse_json(p->get_string());
      if (!doc) return MetricScore{0, "not valid JSON: " + doc.status().message()};
      v = *doc;
    }
    if (auto problem = json_schema_violation(schema_, v)) return MetricScore{0, *problem};
    return MetricScore{1, ""};
  }

 private:
  json::value schema_;
};

class Numeric : public FieldMetric {
 public:
  Numeric(std::string field, double tolerance, bool relative)
      : FieldMetric("numeric", std::move(field)), tolerance_(tolerance), relative_(relative) {}
  Result<MetricScore> score(const MetricInput& in) const override {
    const auto* p = predicted(in);
    const auto* e = expected(in);
    if (!p) return missing("predicted", field_);
    if (!e) return missing("expected", field_);
    auto pv = number_in(*p);
    auto ev = number_in(*e);
    if (!ev)
      return MetricScore{0,
                         "the expected value '" + short_text(python_str(*e)) + "' is not a number"};
    if (!pv)
      return MetricScore{0, "no number in the prediction '" + short_text(python_str(*p)) + "'"};
    double diff = std::fabs(*pv - *ev);
    double allowed = relative_ ? tolerance_ * std::fabs(*ev) : tolerance_;
    if (diff <= allowed) return MetricScore{1, ""};
    return MetricScore{0, "expected " + python_float_repr(*ev) + ", got " + python_float_repr(*pv)};
  }

 private:
  double tolerance_;
  bool relative_;
};

class LlmJudge : public Metric {
 public:
  LlmJudge(Signature judge_sig, JudgeCall call)
      : sig_(std::move(judge_sig)), call_(std::move(call)) {}
  std::string name() const override { return "llm_judge"; }
  int lm_calls_per_score() const override { return 1; }
  Result<MetricScore> score(const MetricInput& in) const override {
    Example inputs{{"inputs", python_json_dumps(in.inputs)},
                   {"expected", python_json_dumps(in.expected)},
                   {"predicted", python_json_dumps(in.predicted)}};
    ChatAdapter chat;
    auto reply = call_(chat.format(sig_, {}, inputs), {});
    if (!reply) return reply.status();
    auto parsed = chat.parse(sig_, *reply);
    if (!parsed) return invalid_argument("llm_judge: " + parsed.error().message());
    double s = parsed.fields().at("score").to_number<double>();
    s = std::clamp(s > 1 && s <= 10 ? s / 10 : s, 0.0, 1.0);  // judges sometimes answer out of 10
    return MetricScore{s, std::string(parsed.fields().at("feedback").as_string())};
  }

 private:
  Signature sig_;
  JudgeCall call_;
};

class Weighted : public Metric {
 public:
  explicit Weighted(std::vector<std::pair<double, std::unique_ptr<Metric>>> parts)
      : parts_(std::move(parts)) {}
  std::string name() const override { return "weighted"; }
  int lm_calls_per_score() const override {
    int n = 0;
    for (const auto& [w, m] : parts_) n += m->lm_calls_per_score();
    return n;
  }
  Result<MetricScore> score(const MetricInput& in) const override {
    double total = 0, weights = 0;
    std::string feedback;
    for (const auto& [w, m] : parts_) {
      auto s = m->score(in);
      if (!s) return s;
      total += w * s->score;
      weights += w;
      if (!s->feedback.empty())
        feedback += (feedback.empty() ? "" : "; ") + m->name() + ": " + s->feedback;
    }
    return MetricScore{weights > 0 ? total / weights : 0, feedback};
  }

 private:
  std::vector<std::pair<double, std::unique_ptr<Metric>>> parts_;
};

Status check_keys(const json::object& o, const std::set<std::string>& allowed,
                  const std::string& type) {
  for (const auto& kv : o) {
    if (allowed.count(std::string(kv.key()))) continue;
    std::string known;
    for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
    return invalid_argument("metric " + type + ": unknown option '" + std::string(kv.key()) +
                            "' (known: " + known + ")");
  }
  return {};
}

std::string default_field(const Signature& sig) {
  for (const auto& f : sig.outputs)
    if (f.name != "reasoning") return f.name;
  return sig.outputs.empty() ? "" : sig.outputs[0].name;
}

Signature judge_signature(const std::string& instructions) {
  auto sig = parse_signature_string(
      "inputs, expected, predicted -> score: float, feedback",
      instructions.empty()
          ? std::optional<std::string>(
                "Judge how well the predicted output answers the inputs, compared with "
                "the expected output. Give a score from 0 (wrong) to 1 (fully correct) "
                "and a short feedback saying what is missing or wrong.")
          : std::optional<std::string>(instructions));
  return *sig;
}

}  // namespace

std::string normalize_text(std::string_view s) {
  // NFD first, then lowercase, as DSPy does.
  utf8proc_uint8_t* nfd = nullptr;
  std::vector<utf8proc_int32_t> cps;
  auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                        static_cast<utf8proc_ssize_t>(s.size()), &nfd,
                        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE));
  if (n >= 0 && nfd) {
    cps = decode(std::string_view(reinterpret_cast<const char*>(nfd), static_cast<std::size_t>(n)));
  } else {
    cps = decode(s);
  }
  std::free(nfd);
  std::vector<utf8proc_int32_t> text;
  for (auto cp : cps) {
    cp = utf8proc_tolower(cp);
    if (!is_ascii_punct(cp)) text.push_back(cp);
  }
  // \b(a|an|the)\b -> " "
  std::vector<utf8proc_int32_t> no_articles;
  for (std::size_t i = 0; i < text.size();) {
    bool boundary_before = i == 0 || !is_word(text[i - 1]);
    bool replaced = false;
    if (boundary_before) {
      for (std::u32string_view art : {U"the", U"an", U"a"}) {
        if (i + art.size() > text.size()) continue;
        bool same = true;
        for (std::size_t k = 0; k < art.size(); ++k)
          same = same && text[i + k] == static_cast<utf8proc_int32_t>(art[k]);
        std::size_t end = i + art.size();
        if (same && (end == text.size() || !is_word(text[end]))) {
          no_articles.push_back(' ');
          i = end;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) no_articles.push_back(text[i++]);
  }
  std::string out;
  bool pending_space = false;
  for (auto cp : no_articles) {
    if (is_space(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    encode(cp, out);
  }
  return out;
}

double f1_score(std::string_view prediction, std::string_view ground_truth) {
  auto p = tokens(prediction);
  auto g = tokens(ground_truth);
  std::map<std::string, int> counts;
  for (const auto& t : g) ++counts[t];
  int same = 0;
  for (const auto& t : p) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++same;
    }
  }
  if (same == 0) return 0;
  double precision = static_cast<double>(same) / static_cast<double>(p.size());
  double recall = static_cast<double>(same) / static_cast<double>(g.size());
  return 2 * precision * recall / (precision + recall);
}

Result<json::value> parse_metric_spec(std::string_view text) {
  std::string_view t = python_strip(text);
  if (!t.empty() && t.front() == '{') {
    auto doc = parse_json(t);
    if (!doc) return invalid_argument("--metric: " + doc.status().message());
    return doc;
  }
  json::object spec;
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto colon = t.find(':', start);
    parts.emplace_back(t.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  spec["type"] = parts[0];
  if (parts.size() > 1 && !parts[1].empty()) spec["field"] = parts[1];
  if (parts.size() > 2) {
    if (parts[0] == "numeric") {
      double d = 0;
      auto r = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), d);
      if (r.ec != std::errc() || r.ptr != parts[2].data() + parts[2].size())
        return invalid_argument("--metric " + std::string(t) + ": the tolerance '" + parts[2] +
                                "' is not a number");
      spec["tolerance"] = d;
    } else if (parts[0] == "regex") {
      std::string pattern;
      for (std::size_t i = 2; i < parts.size(); ++i) pattern += (i > 2 ? ":" : "") + parts[i];
      spec["pattern"] = pattern;
    } else {
      return invalid_argument("--metric " + std::string(t) + ": expected type[:field] (or JSON)");
    }
  }
  return json::value(std::move(spec));
}

Result<std::unique_ptr<Metric>> make_metric(const json::value& spec, const Signature& sig,
                                            JudgeCall judge) {
  if (spec.is_string()) {
    auto parsed = parse_metric_spec(spec.get_string());
    if (!parsed) return parsed.status();
    return make_metric(*parsed, sig, std::move(judge));
  }
  const auto* o = spec.if_object();
  if (!o) return invalid_argument("metric: expected {type: ..., field: ...}");
  std::string type = get_string(*o, "type");
  std::string field = get_string(*o, "field", default_field(sig));
  if (type != "weighted" && type != "llm_judge") {
    if (field.empty() || (!sig.output(field) && field != "reasoning"))
      return invalid_argument("metric " + type + ": '" + field +
                              "' is not an output field of the signature (" + sig.to_string() +
                              ")");
  }
  auto keys = [&](std::set<std::string> extra) {
    extra.insert("type");
    extra.insert("field");
    return check_keys(*o, extra, type);
  };
  std::unique_ptr<Metric> m;
  if (type == "exact_match") {
    if (auto st = keys({}); !st.ok()) return st;
    m = std::make_unique<ExactMatch>("exact_match", field);
  } else if (type == "f1") {
    if (auto st = keys({}); !st.ok()) return st;
    m = std::make_unique<F1>("f1", field);
  } else if (type == "contains") {
    if (auto st = keys({"ignore_case"}); !st.ok()) return st;
    const auto* ic = o->if_contains("ignore_case");
    m = std::make_unique<Contains>(field, ic && ic->is_bool() && ic->get_bool());
  } else if (type == "regex") {
    if (auto st = keys({"pattern"}); !st.ok()) return st;
    std::string pattern = get_string(*o, "pattern");
    if (pattern.empty()) return invalid_argument("metric regex: needs a `pattern`");
    auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
    if (!re->ok())
      return invalid_argument("metric regex: invalid pattern '" + pattern + "': " + re->error());
    m = std::make_unique<Regex>(field, std::move(re));
  } else if (type == "json_valid") {
    if (auto st = keys({}); !st.ok()) return st;
    m = std::make_unique<JsonValid>("json_valid", field);
  } else if (type == "json_schema") {
    if (auto st = keys({"schema"}); !st.ok()) return st;
    const auto* s = o->if_contains("schema");
    const Field* f = sig.output(field);
    if (s && !s->is_object())
      return invalid_argument("metric json_schema: `schema` must be an object");
    if (!s && !(f && f->schema))
      return invalid_argument("metric json_schema: needs a `schema` (or an output field with one)");
    m = std::make_unique<JsonSchemaMetric>(field, s ? *s : *f->schema);
  } else if (type == "numeric") {
    if (auto st = keys({"tolerance", "relative"}); !st.ok()) return st;
    const auto* tol = o->if_contains("tolerance");
    if (tol && !tol->is_number())
      return invalid_argument("metric numeric: `tolerance` must be a number");
    const auto* rel = o->if_contains("relative");
    m = std::make_unique<Numeric>(field, tol ? tol->to_number<double>() : 0.0,
                                  rel && rel->is_bool() && rel->get_bool());
  } else if (type == "llm_judge") {
    if (auto st = keys({"instructions"}); !st.ok()) return st;
    if (!judge) return failed_precondition("metric llm_judge: needs an LM to call (a provider)");
    m = std::make_unique<LlmJudge>(judge_signature(get_string(*o, "instructions")),
                                   std::move(judge));
  } else if (type == "weighted") {
    if (auto st = check_keys(*o, {"type", "metrics"}, type); !st.ok()) return st;
    const auto* list = o->if_contains("metrics");
    if (!list || !list->is_array() || list->get_array().empty())
      return invalid_argument("metric weighted: needs `metrics: [{weight, type, ...}, ...]`");
    std::vector<std::pair<double, std::unique_ptr<Metric>>> parts;
    for (const auto& item : list->get_array()) {
      if (!item.is_object())
        return invalid_argument("metric weighted: each entry is {weight, type, ...}");
      json::object sub = item.get_object();
      double w = 1;
      if (const auto* wv = sub.if_contains("weight")) {
        if (!wv->is_number() || wv->to_number<double>() < 0)
          return invalid_argument("metric weighted: `weight` must be a number >= 0");
        w = wv->to_number<double>();
        sub.erase("weight");
      }
      auto part = make_metric(sub, sig, judge);
      if (!part) return part.status();
      parts.emplace_back(w, std::move(*part));
    }
    m = std::make_unique<Weighted>(std::move(parts));
  } else {
    return invalid_argument(
        "metric: unknown type '" + type +
        "' (known: exact_match, f1, contains, regex, json_valid, json_schema, numeric, "
        "llm_judge, weighted)");
  }
  return m;
}

}  // namespace pipeline::dspy
