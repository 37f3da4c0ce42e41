#include <pipeline/optimize/optimization_store.hpp>

#include <pipeline/cache/optimization_cache_key.hpp>

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

std::string OptimizationStore::latest_key(std::string_view signature_hash) {
  return OptimizationCacheKey::signature_prefix(signature_hash) + "latest";
}

void OptimizationStore::put(StoredProgram entry) {
  if (!cache_) return;
  if (entry.created_unix_ms == 0) {
    entry.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
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
