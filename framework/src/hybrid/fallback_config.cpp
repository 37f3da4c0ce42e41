#include <pipeline/config/yaml_json.hpp>
#include <pipeline/hybrid/fallback_classes.hpp>
#include <pipeline/hybrid/fallback_config.hpp>

#include <algorithm>
#include <cmath>

namespace pipeline {

FallbackConfig FallbackConfig::builtin() {
  FallbackConfig c;
  c.where = {"<built-in>", 0, 0};
  c.chain = {{FallbackEntry::Kind::kVariant, "dspy_optimized", c.where},
             {FallbackEntry::Kind::kVariant, "traditional", c.where}};
  return c;
}

std::vector<std::string> FallbackConfig::providers() const {
  std::vector<std::string> out;
  for (const auto& e : chain) {
    if (e.kind == FallbackEntry::Kind::kProvider) out.push_back(e.name);
  }
  return out;
}

bool FallbackConfig::has_cached_response() const {
  return std::any_of(chain.begin(), chain.end(), [](const FallbackEntry& e) {
    return e.kind == FallbackEntry::Kind::kCachedResponse;
  });
}

namespace {

const char* kEntryForms = "dspy_optimized, traditional, cached_response or {provider: NAME}";

std::string class_list() {
  std::string out;
  for (const auto& c : known_error_classes()) {
    if (c == "cancelled") continue;
    out += (out.empty() ? "" : ", ") + c;
  }
  return out;
}

std::optional<FallbackEntry> read_entry(const YAML::Node& e, const std::string& file,
                                        Diagnostics& diags) {
  SourceLocation where = location_of(e, file);
  if (is_scalar(e)) {
    const std::string& s = e.Scalar();
    if (s == "dspy_optimized" || s == "traditional") {
      return FallbackEntry{FallbackEntry::Kind::kVariant, s, where};
    }
    if (s == "cached_response")
      return FallbackEntry{FallbackEntry::Kind::kCachedResponse, s, where};
    diags.error(where, "fallback.chain: unknown entry '" + s + "' (expected " + kEntryForms + ")");
    return std::nullopt;
  }
  if (is_map(e)) {
    std::optional<FallbackEntry> out;
    for (const auto& kv : e) {
      const std::string key = kv.first.Scalar();
      if (key != "provider") {
        diags.error(
            location_of(kv.first, file),
            "fallback.chain: unknown key '" + key + "' in an entry (expected " + kEntryForms + ")");
        return std::nullopt;
      }
      if (!is_scalar(kv.second) || kv.second.Scalar().empty()) {
        diags.error(location_of(kv.second, file),
                    "fallback.chain: 'provider' must name a provider instance, found " +
                        yaml_kind(kv.second));
        return std::nullopt;
      }
      out = FallbackEntry{FallbackEntry::Kind::kProvider, kv.second.Scalar(),
                          location_of(kv.second, file)};
    }
    if (!out)
      diags.error(where, std::string("fallback.chain: empty entry (expected ") + kEntryForms + ")");
    return out;
  }
  diags.error(where,
              "fallback.chain: expected " + std::string(kEntryForms) + ", found " + yaml_kind(e));
  return std::nullopt;
}

void read_chain(const YAML::Node& v, const std::string& file, FallbackConfig& cfg,
                Diagnostics& diags) {
  if (!is_list(v)) {
    diags.error(location_of(v, file), "fallback.chain: expected a list, found " + yaml_kind(v));
    return;
  }
  cfg.chain.clear();
  for (const auto& e : v) {
    auto entry = read_entry(e, file, diags);
    if (!entry) continue;
    if (std::find(cfg.chain.begin(), cfg.chain.end(), *entry) != cfg.chain.end()) {
      // The chain never goes back, so the second one is never reached.
      diags.warning(entry->where, "fallback.chain: '" + entry->name +
                                      "' is listed twice; the second is never used");
      continue;
    }
    cfg.chain.push_back(std::move(*entry));
  }
}

void read_on(const YAML::Node& v, const std::string& file, FallbackConfig& cfg,
             Diagnostics& diags) {
  if (!is_list(v)) {
    diags.error(location_of(v, file),
                "fallback.on: expected a list of error classes, found " + yaml_kind(v));
    return;
  }
  for (const auto& e : v) {
    SourceLocation where = location_of(e, file);
    if (!is_scalar(e)) {
      diags.error(where, "fallback.on: expected an error class, found " + yaml_kind(e));
      continue;
    }
    const std::string& c = e.Scalar();
    if (c == "cancelled") {
      diags.error(where, "fallback.on: 'cancelled' cannot fall back (a cancelled run stops)");
    } else if (!is_known_error_class(c)) {
      diags.error(where,
                  "fallback.on: unknown error class '" + c + "' (known: " + class_list() + ")");
    } else {
      cfg.on.insert(c);
    }
  }
}

// A number > 0 (an integer when `integer`), else an error at the value.
std::optional<double> positive(const YAML::Node& v, const std::string& key, bool integer,
                               const std::string& file, Diagnostics& diags) {
  json::value j = is_scalar(v) ? yaml_to_json(v) : json::value(nullptr);
  double x = j.is_int64()                ? static_cast<double>(j.get_int64())
             : j.is_uint64()             ? static_cast<double>(j.get_uint64())
             : j.is_double() && !integer ? j.get_double()
                                         : -1;
  // Bounded so the value converts to an int count or a duration without overflow.
  const double most = integer ? 1e6 : 1e9;
  if (x > 0 && std::isfinite(x) && x <= most) return x;
  diags.error(location_of(v, file),
              "fallback.cooldown." + key + ": expected " +
                  (integer ? "an integer from 1 to 1000000"
                           : "a number of seconds > 0 and at most 1000000000") +
                  ", found " + (is_scalar(v) ? "'" + v.Scalar() + "'" : yaml_kind(v)));
  return std::nullopt;
}

void read_cooldown(const YAML::Node& v, const std::string& file, FallbackConfig& cfg,
                   Diagnostics& diags) {
  if (!is_map(v)) {
    diags.error(location_of(v, file),
                "fallback.cooldown: expected a map {failures, "
                "window_seconds, seconds}, found " +
                    yaml_kind(v));
    return;
  }
  CooldownConfig c;
  for (const auto& kv : v) {
    const std::string key = kv.first.Scalar();
    if (key == "failures") {
      if (auto x = positive(kv.second, key, true, file, diags)) c.failures = static_cast<int>(*x);
    } else if (key == "window_seconds") {
      if (auto x = positive(kv.second, key, false, file, diags)) c.window_seconds = *x;
    } else if (key == "seconds") {
      if (auto x = positive(kv.second, key, false, file, diags)) c.seconds = *x;
    } else {
      diags.warning(location_of(kv.first, file),
                    "unknown key 'fallback.cooldown." + key +
                        "' (known: failures, window_seconds, seconds); ignored");
    }
  }
  cfg.cooldown = c;
}

}  // namespace

FallbackConfig parse_fallback_config(const YAML::Node& node, const std::string& file,
                                     Diagnostics& diags) {
  FallbackConfig cfg = FallbackConfig::builtin();
  if (is_null(node)) return cfg;
  cfg.declared = true;
  cfg.where = location_of(node, file);
  if (!is_map(node)) {
    diags.error(cfg.where,
                "fallback: expected a map {chain, on, cooldown}, found " + yaml_kind(node));
    return cfg;
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "chain") {
      read_chain(kv.second, file, cfg, diags);
    } else if (key == "on") {
      read_on(kv.second, file, cfg, diags);
    } else if (key == "cooldown") {
      read_cooldown(kv.second, file, cfg, diags);
    } else {
      diags.warning(location_of(kv.first, file),
                    "unknown key 'fallback." + key + "' (known: chain, on, cooldown); ignored");
    }
  }
  return cfg;
}

void check_fallback_providers(const FallbackConfig& config, const std::set<std::string>& declared,
                              Diagnostics& diags) {
  for (const auto& e : config.chain) {
    if (e.kind != FallbackEntry::Kind::kProvider || declared.count(e.name)) continue;
    std::string known;
    for (const auto& n : declared) known += (known.empty() ? "" : ", ") + n;
    diags.error(e.where, "fallback.chain: provider '" + e.name +
                             "' is not declared under providers (declared: " +
                             (known.empty() ? "none" : known) + ")");
  }
}

}  // namespace pipeline
