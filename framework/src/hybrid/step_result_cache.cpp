#include <pipeline/cache/sha256.hpp>
#include <pipeline/hybrid/step_result_cache.hpp>

namespace pipeline {

std::string StepResultCache::key(std::string_view workflow, std::string_view step,
                                 const json::object& input) {
  json::object in = input;
  // Where the run writes its files does not change what a step answers (--output-dir).
  if (auto* wf = in.if_contains("workflow"); wf != nullptr && wf->is_object()) {
    wf->as_object().erase("output_dir");
  }
  json::object keyed{{"workflow", workflow}, {"step", step}, {"input", std::move(in)}};
  return "step:v1:" + sha256_hex(canonical_json(keyed));
}

void StepResultCache::put(std::string_view workflow, std::string_view step,
                          const json::object& input, const json::object& output_doc) const {
  if (!cache_) return;
  cache_->put(key(workflow, step, input), json::serialize(output_doc));
}

std::optional<json::object> StepResultCache::get(std::string_view workflow, std::string_view step,
                                                 const json::object& input) const {
  if (!cache_) return std::nullopt;
  auto text = cache_->get(key(workflow, step, input));
  if (!text) return std::nullopt;
  auto doc = parse_json(*text);
  // Only what a step returns counts as a step's output: anything else is a corrupt entry.
  if (!doc || !doc->is_object() || !doc->get_object().contains("output")) return std::nullopt;
  return std::move(doc->as_object());
}

}  // namespace pipeline
