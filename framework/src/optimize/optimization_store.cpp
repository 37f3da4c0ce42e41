#include <pipeline/optimize/optimization_store.hpp>

#include <pipeline/cache/optimization_cache_key.hpp>

#include <algorithm>
#include <chrono>

namespace pipeline {

json::object StoredProgram::to_json() const {
  return json::object{{"key", key},
                      {"signature_hash", signature_hash},
                      {"optimizer", optimizer},
                      {"program", program},
                      {"report", report},
                      {"created_unix_ms", created_unix_ms}};
}

std::optional<StoredProgram> StoredProgram::from_json(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  const auto* prog = o->if_contains("program");
  const auto* created = o->if_contains("created_unix_ms");
  if (prog == nullptr || !prog->is_object() || created == nullptr || !created->is_number())
    return std::nullopt;
  StoredProgram s;
  s.key = get_string(*o, "key");
  s.signature_hash = get_string(*o, "signature_hash");
  s.optimizer = get_string(*o, "optimizer");
  s.program = *prog;
  if (const auto* r = o->if_contains("report"); r && r->is_object()) s.report = r->get_object();
  s.created_unix_ms = created->to_number<std::int64_t>();
  return s;
}

namespace {

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::int64_t OptimizationFailure::retry_unix_ms() const {
  constexpr std::int64_t kFirst = 15 * 60 * 1000;
  constexpr std::int64_t kMost = 24 * 60 * 60 * 1000;
  std::int64_t delay = kFirst;
  for (int i = 1; i < count && delay < kMost; ++i) delay *= 2;
  return unix_ms + std::min(delay, kMost);
}

json::object OptimizationFailure::to_json() const {
  return json::object{{"optimizer", optimizer},
                      {"fingerprint", fingerprint},
                      {"reason", reason},
                      {"count", count},
                      {"unix_ms", unix_ms}};
}

std::optional<OptimizationFailure> OptimizationFailure::from_json(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  const auto* count = o->if_contains("count");
  const auto* when = o->if_contains("unix_ms");
  if (count == nullptr || !count->is_int64() || when == nullptr || !when->is_int64())
    return std::nullopt;
  OptimizationFailure f;
  f.optimizer = get_string(*o, "optimizer");
  f.fingerprint = get_string(*o, "fingerprint");
  f.reason = get_string(*o, "reason");
  f.count = static_cast<int>(std::clamp<std::int64_t>(count->get_int64(), 1, 1000));
  f.unix_ms = when->get_int64();
  return f;
}

std::string OptimizationStore::failure_key(std::string_view signature_hash,
                                           std::string_view optimizer) {
  return OptimizationCacheKey::signature_prefix(signature_hash) +
         "failed:" + std::string(optimizer);
}

void OptimizationStore::record_failure(std::string_view signature_hash, OptimizationFailure f) {
  if (!cache_) return;
  if (f.unix_ms == 0) f.unix_ms = now_unix_ms();
  if (auto before = failure(signature_hash, f.optimizer);
      before && before->fingerprint == f.fingerprint)
    f.count = before->count + 1;
  cache_->put(failure_key(signature_hash, f.optimizer), json::serialize(f.to_json()));
}

std::optional<OptimizationFailure> OptimizationStore::failure(std::string_view signature_hash,
                                                              std::string_view optimizer) {
  if (!cache_) return std::nullopt;
  auto text = cache_->get(failure_key(signature_hash, optimizer));
  if (!text) return std::nullopt;
  auto doc = parse_json(*text);
  if (!doc) return std::nullopt;
  return OptimizationFailure::from_json(*doc);
}

void OptimizationStore::clear_failure(std::string_view signature_hash, std::string_view optimizer) {
  if (cache_) (void)cache_->erase(failure_key(signature_hash, optimizer));
}

std::string OptimizationStore::latest_key(std::string_view signature_hash) {
  return OptimizationCacheKey::signature_prefix(signature_hash) + "latest";
}

void OptimizationStore::put(StoredProgram entry) {
  if (!cache_) return;
  if (entry.created_unix_ms == 0) {
    entry.created_unix_ms = now_unix_ms();
  }
  cache_->put(entry.key, json::serialize(entry.to_json()));
  json::object pointer{{"key", entry.key}, {"created_unix_ms", entry.created_unix_ms}};
  cache_->put(latest_key(entry.signature_hash), json::serialize(pointer));
}

std::optional<StoredProgram> OptimizationStore::get(const std::string& key) {
  if (!cache_) return std::nullopt;
  auto text = cache_->get(key);
  if (!text) return std::nullopt;
  auto doc = parse_json(*text);
  if (!doc) return std::nullopt;
  auto s = StoredProgram::from_json(*doc);
  if (s && s->key != key) return std::nullopt;  // an entry must be the one asked for
  return s;
}

std::optional<StoredProgram> OptimizationStore::latest(std::string_view signature_hash) {
  if (!cache_) return std::nullopt;
  auto text = cache_->get(latest_key(signature_hash));
  if (!text) return std::nullopt;
  auto doc = parse_json(*text);
  if (!doc || !doc->is_object()) return std::nullopt;
  std::string key = get_string(doc->get_object(), "key");
  if (key.rfind(OptimizationCacheKey::signature_prefix(signature_hash), 0) != 0)
    return std::nullopt;
  return get(key);
}

}  // namespace pipeline
