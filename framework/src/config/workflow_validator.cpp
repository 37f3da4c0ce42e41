#include <pipeline/config/workflow_validator.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/interpolation.hpp>
#include <pipeline/plugins/plugin_host.hpp>

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
        diags.error(step.where, "step '" + step.name + "': in {{" + expr + "}}: " +
                                    e.status().message());
      }
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) check_placeholders(e, step, file, diags);
  } else if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) check_placeholders(kv.value(), step, file, diags);
  }
}

void plugin_diagnostics(const std::string& body, const StepConfig& step, const std::string& file,
                        Diagnostics& diags) {
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
    SourceLocation where = field.empty() ? step.where : key_location(step.node, field, file);
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

void validate_workflow(const Workflow& wf, const HostConfig& host_config, PluginHost& plugins,
                       Diagnostics& diags) {
  const std::string file = wf.file.string();
  const std::vector<std::string> known = plugins.names(PL_KIND_STEP);
  std::set<std::string> earlier;
  std::set<std::string> all;
  for (const auto& s : wf.steps) all.insert(s.name);
  std::map<std::string, std::shared_ptr<StepInstance>> validators;

  for (const auto& step : wf.steps) {
    auto component = plugins.find(PL_KIND_STEP, step.type);
    if (!component) {
      diags.error(key_location(step.node, "type", file),
                  "step '" + step.name + "': unknown step type '" + step.type +
                      "' (known: " + join(known) + ")");
    } else {
      auto& inst = validators[step.type];
      if (!inst) {
        json::object settings;
        if (auto it = host_config.step_settings.find(step.type); it != host_config.step_settings.end()) {
          settings = it->second;
        }
        auto created = plugins.create_step(step.type, json::serialize(settings));
        if (created) inst = *created;
        else diags.error(step.where, created.status().message());
      }
      if (inst) {
        CallResult r = inst->validate(json::serialize(step.raw));
        if (!r.ok()) {
          diags.error(step.where, "step '" + step.name + "': validation by the '" + step.type +
                                      "' plugin failed: " + r.error);
        } else {
          plugin_diagnostics(r.body, step, file, diags);
        }
      }
    }
    for (std::size_t i = 0; i < step.prompt.size(); ++i) {
      const PromptPart& part = step.prompt[i];
      if (part.type != "previous_response") continue;
      std::string ref = get_string(part.fields, "step");
      if (earlier.count(ref)) continue;
      std::string why = all.count(ref) ? "which runs later; a prompt can only use steps before it"
                                       : "which does not exist";
      std::vector<std::string> before(earlier.begin(), earlier.end());
      diags.error(part.where, "step '" + step.name + "': prompt[" + std::to_string(i) +
                                  "] previous_response names step '" + ref + "', " + why +
                                  " (steps before this one: " + join(before) + ")");
    }
    if (step.condition) {
      if (Status st = check_condition(*step.condition); !st.ok()) {
        diags.error(key_location(step.node, "condition", file),
                    "step '" + step.name + "': " + st.message());
      }
    }
    check_placeholders(json::value(step.raw), step, file, diags);
    earlier.insert(step.name);
  }
}

}  // namespace pipeline
