#include <pipeline/config/dspy_config.hpp>
#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/interpolation.hpp>
#include <pipeline/engine/workflow_validator.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/plugins/plugin_host.hpp>
#include <pipeline/sdk/limits.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace pipeline {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// Every {{...}} in the step must parse; evaluation happens at run time.
void check_placeholders(const json::value& v, const StepConfig& step, const std::string& file,
                        Diagnostics& diags) {
  if (const auto* s = v.if_string()) {
    for (const auto& expr : placeholders(*s)) {
      auto e = Expression::parse(expr);
      if (!e) {
        diags.error(step.where, "step '" + step.name + "': in {{" + shorten_for_message(expr) +
                                    "}}: " + e.status().message());
      }
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) check_placeholders(e, step, file, diags);
  } else if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) check_placeholders(kv.value(), step, file, diags);
  }
}

void plugin_diagnostics(const std::string& body, const StepConfig& step, Diagnostics& diags) {
  auto doc = parse_json(body);
  if (!doc || !doc->is_array()) {
    diags.warning(step.where, "step '" + step.name + "': the '" + step.type +
                                  "' plugin returned unreadable validation output");
    return;
  }
  for (const auto& d : doc->get_array()) {
    if (!d.is_object()) continue;
    const auto& o = d.get_object();
    std::string field = get_string(o, "field");
    std::string message = get_string(o, "message");
    if (message.empty()) message = "(the plugin gave no reason)";
    SourceLocation where = field.empty() ? step.where : step.source.field_where(field);
    std::string text = "step '" + step.name + "' (" + step.type + ")" +
                       (field.empty() ? "" : ", field '" + field + "'") + ": " + message;
    if (get_string(o, "severity", "error") == "warning") {
      diags.warning(where, text);
    } else {
      diags.error(where, text);
    }
  }
}

}  // namespace

namespace {

struct StepValidator {
  const HostConfig& host_config;
  PluginHost& plugins;
  Diagnostics& diags;
  std::string file;
  std::vector<std::string> known;
  std::map<std::string, std::shared_ptr<StepInstance>> validators;
  std::vector<std::string> file_chain;  // canonical paths of the pipeline files being validated

  // `earlier`: steps whose results exist when this list starts (outer steps for a loop body).
  void validate_list(const std::vector<StepConfig>& steps, std::set<std::string> earlier,
                     int depth) {
    std::set<std::string> all = earlier;
    for (const auto& s : steps) all.insert(s.name);
    for (const auto& step : steps) {
      validate_step(step, earlier, all, depth);
      earlier.insert(step.name);
    }
  }

  void check_previous_responses(const StepConfig& step, const std::vector<PromptPart>& prompt,
                                const std::set<std::string>& earlier,
                                const std::set<std::string>& all, const std::string& label) {
    for (std::size_t i = 0; i < prompt.size(); ++i) {
      const PromptPart& part = prompt[i];
      if (part.type != "previous_response") continue;
      std::string ref = get_string(part.fields, "step");
      if (earlier.count(ref)) continue;
      std::string why = all.count(ref) ? "which runs later; a prompt can only use steps before it"
                                       : "which does not exist";
      std::vector<std::string> before(earlier.begin(), earlier.end());
      diags.error(part.where, "step '" + step.name + "': " + label + "[" + std::to_string(i) +
                                  "] previous_response names step '" + ref + "', " + why +
                                  " (steps before this one: " + join(before) + ")");
    }
  }

  // Sub-steps of loops, inline nested pipelines and the prompts of batch/parallel tasks are
  // checked like top-level steps, so a typo inside a loop is found before the run.
  void validate_children(const StepConfig& step, const std::set<std::string>& earlier,
                         const std::set<std::string>& all, int depth) {
    if (depth >= limits::kMaxNestingDepth) {
      diags.error(step.where,
                  "step '" + step.name + "': steps are nested more than " +
                      std::to_string(limits::kMaxNestingDepth) +
                      " levels deep (loops, inline pipelines and pipeline files count)");
      return;
    }
    const json::object& raw = step.raw;
    if (const auto* list = raw.if_contains("steps"); list && list->is_array()) {
      validate_list(parse_step_list(list->get_array(), step.source.child("steps"), diags), earlier,
                    depth + 1);
    }
    if (const auto* p = raw.if_contains("pipeline"); p && p->is_object()) {
      const SourceRef at = step.source.child("pipeline");
      if (const auto* list = p->get_object().if_contains("steps"); list && list->is_array()) {
        validate_list(parse_step_list(list->get_array(), at.child("steps"), diags), {}, depth + 1);
      } else {
        diags.error(at.where(), "step '" + step.name + "': inline pipeline needs 'steps'");
      }
    }
    if (const auto* f = raw.if_contains("pipeline_file"); f && f->is_string()) {
      validate_pipeline_file(step, std::string(f->get_string()),
                             step.source.child("pipeline_file").where(), depth);
    }
    for (const char* key : {"tasks", "parallel_tasks"}) {
      const auto* tasks = raw.if_contains(key);
      if (tasks == nullptr || !tasks->is_array()) continue;
      for (std::size_t i = 0; i < tasks->get_array().size(); ++i) {
        const json::value& t = tasks->get_array()[i];
        const json::value* prompt = t.is_object() ? t.get_object().if_contains("prompt") : nullptr;
        if (prompt == nullptr || prompt->is_null()) continue;
        StepConfig tmp;
        tmp.name = step.name;
        parse_prompt(*prompt, step.source.child(key).child(i).child("prompt"), tmp, diags);
        check_previous_responses(step, tmp.prompt, earlier, all,
                                 std::string(key) + "[" + std::to_string(i) + "].prompt");
      }
    }
    (void)all;
  }

  // A literal pipeline_file is loaded and validated like the workflow (its problems carry its own
  // file:line:col), so `validate` finds a missing, broken or cyclic one before any run does.
  void validate_pipeline_file(const StepConfig& step, const std::string& written,
                              const SourceLocation& where, int depth) {
    namespace fs = std::filesystem;
    if (written.find("{{") != std::string::npos) return;  // known only at run time
    std::error_code ec;
    fs::path path(written);
    if (path.is_relative() && !fs::exists(path, ec)) {
      fs::path beside = fs::path(file).parent_path() / path;
      if (fs::exists(beside, ec)) path = beside;
    }
    if (written.empty() || !fs::exists(path, ec)) {
      diags.error(where, "step '" + step.name + "': pipeline_file '" + written +
                             "' not found (looked in the current folder and beside " + file + ")");
      return;
    }
    std::string identity = fs::weakly_canonical(path, ec).string();
    if (file_chain.empty()) file_chain.push_back(fs::weakly_canonical(file, ec).string());
    if (std::find(file_chain.begin(), file_chain.end(), identity) != file_chain.end()) {
      std::string chain;
      for (const auto& f : file_chain) chain += f + " -> ";
      diags.error(where, "step '" + step.name + "': nested pipeline cycle: " + chain + identity);
      return;
    }
    Diagnostics child;
    auto wf = load_workflow(path, child);
    if (!wf || child.has_errors()) {
      diags.append(child);
      diags.error(where, "step '" + step.name + "': pipeline_file '" + written + "' is invalid");
      return;
    }
    diags.append(child);
    std::string saved = file;
    file = path.string();
    file_chain.push_back(identity);
    validate_list(wf->steps, {}, depth + 1);
    file_chain.pop_back();
    file = saved;
  }

  void validate_step(const StepConfig& step, const std::set<std::string>& earlier,
                     const std::set<std::string>& all, int depth) {
    auto component = plugins.find(PL_KIND_STEP, step.type);
    if (!component) {
      diags.error(step.source.key_where("type"), "step '" + step.name + "': unknown step type '" +
                                                     step.type + "' (known: " + join(known) + ")");
    } else {
      auto& inst = validators[step.type];
      if (!inst) {
        json::object settings;
        if (auto it = host_config.step_settings.find(step.type);
            it != host_config.step_settings.end()) {
          settings = it->second;
        }
        auto created = plugins.create_step(step.type, json::serialize(settings));
        if (created)
          inst = *created;
        else
          diags.error(step.where, created.status().message());
      }
      if (inst) {
        CallResult r = inst->validate(json::serialize(step.raw));
        if (!r.ok()) {
          diags.error(step.where, "step '" + step.name + "': validation by the '" + step.type +
                                      "' plugin failed: " +
                                      (r.error.empty() ? std::string(status_code_name(r.status)) +
                                                             " (the plugin gave no reason)"
                                                       : r.error));
        } else {
          plugin_diagnostics(r.body, step, diags);
        }
      }
    }
    check_previous_responses(step, step.prompt, earlier, all, "prompt");
    if (step.condition) {
      if (Status st = check_condition(*step.condition); !st.ok()) {
        diags.error(step.source.key_where("condition"),
                    "step '" + step.name + "': " + st.message());
      }
    }
    for (const char* key : {"break_condition", "continue_condition"}) {
      if (const auto* c = step.raw.if_contains(key); c && !c->is_null()) {
        if (Status st = check_condition(*c); !st.ok()) {
          diags.error(step.source.key_where(key),
                      "step '" + step.name + "': " + key + ": " + st.message());
        }
      }
    }
    check_placeholders(json::value(step.raw), step, file, diags);
    validate_children(step, earlier, all, depth);
  }
};

}  // namespace

void validate_workflow(const Workflow& wf, const HostConfig& host_config, PluginHost& plugins,
                       Diagnostics& diags) {
  StepValidator v{host_config, plugins, diags, wf.file.string(), plugins.names(PL_KIND_STEP),
                  {},          {}};
  v.validate_list(wf.steps, {}, 0);
  validate_dspy_config(wf, diags);
  validate_hybrid_config(wf, diags);
}

}  // namespace pipeline
