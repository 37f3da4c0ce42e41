// Core step types that need no LLM: set_variable, test_echo, data_transform, file_ops.
#include "core_steps.hpp"

#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <set>
#include <string>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace {

const std::set<std::string, std::less<>> kScopes = {"global", "session", "loop"};

// set_variable: `variables: {name: value}` (or pipeline_ex's single `variable:` + `value:`),
// already interpolated by the host, become variables of the scope the step runs in. The result
// holds the values set (so previous_response:step.name reads them) and pipeline_ex's summary.
class SetVariableStep : public pipeline::sdk::Step {
 public:
  using Step::Step;

  std::string execute(const CallContext&, std::string_view input_json) override {
    json::value input = pipeline::sdk::parse_json(input_json);
    const auto& step = input.as_object().at("step").as_object();
    json::object vars = variables_of(step);
    std::string scope = "global";
    if (auto* s = step.if_contains("scope"); s && s->is_string()) scope = s->get_string();
    json::object output = vars;
    json::array names;
    for (const auto& kv : vars) names.emplace_back(kv.key());
    output["variables_set"] = names;
    output["variable_count"] = vars.size();
    output["scope"] = scope;
    output["variables"] = vars;
    return json::serialize(json::object{{"output", std::move(output)}, {"set_variables", vars}});
  }

  std::string validate(std::string_view step_json) override {
    json::value step = pipeline::sdk::parse_json(step_json);
    const auto& o = step.as_object();
    json::array d;
    auto add = [&](const char* field, std::string msg, const char* sev = "error") {
      d.push_back(json::object{{"field", field}, {"message", msg}, {"severity", sev}});
    };
    const json::value* vars = o.if_contains("variables");
    bool single = o.contains("variable");
    if (vars == nullptr && !single) {
      add("variables",
          "set_variable needs a 'variables' map of name: value (or 'variable' and 'value')");
    } else if (vars != nullptr && !vars->is_object()) {
      add("variables", "'variables' must be a map of name: value");
    } else if (single && !o.at("variable").is_string()) {
      add("variable", "'variable' must be a name");
    }
    if (auto* s = o.if_contains("scope");
        s && (!s->is_string() || !kScopes.count(s->get_string()))) {
      add("scope", "scope must be one of global, session, loop");
    }
    return json::serialize(d);
  }

 private:
  static json::object variables_of(const json::object& step) {
    json::object vars;
    if (auto* v = step.if_contains("variables"); v && v->is_object()) vars = v->get_object();
    if (auto* n = step.if_contains("variable"); n && n->is_string()) {
      const json::value* value = step.if_contains("value");
      vars[n->get_string()] = value ? *value : json::value(nullptr);
    }
    if (vars.empty() && !step.contains("variables") && !step.contains("variable")) {
      throw Error(PL_INVALID_ARGUMENT, "set_variable needs a 'variables' map");
    }
    return vars;
  }
};

// test_echo (pipeline_ex's fixture step): its `value`, interpolated; `fail: true` or the value
// "__FAIL__" fails with `error_message`.
class TestEchoStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const CallContext&, std::string_view input_json) override {
    json::value input = pipeline::sdk::parse_json(input_json);
    const auto& step = input.as_object().at("step").as_object();
    json::value value = "default_echo";
    if (auto* v = step.if_contains("value"); v && !v->is_null()) value = *v;
    bool fail = false;
    if (auto* f = step.if_contains("fail"); f && f->is_bool()) fail = f->get_bool();
    if (fail || (value.is_string() && value.get_string() == "__FAIL__")) {
      std::string msg = "Test step intentionally failed";
      if (auto* m = step.if_contains("error_message"); m && m->is_string()) msg = m->get_string();
      throw Error(PL_ABORTED, msg);
    }
    return json::serialize(json::object{{"output", std::move(value)}});
  }

  // pipeline_ex lists test_echo among its step types only when it runs its own tests, so a
  // workflow that uses it elsewhere is rejected there: say so, without refusing it here.
  std::string validate(std::string_view) override {
    const char* mode = std::getenv("TEST_MODE");
    if (mode != nullptr && *mode != '\0' && std::string_view(mode) != "live") return "[]";
    json::array d;
    d.push_back(json::object{
        {"field", "type"},
        {"message",
         "test_echo is a test step: pipeline_ex accepts it only in test mode and rejects this "
         "workflow otherwise (set TEST_MODE=mock to run in test mode)"},
        {"severity", "warning"}});
    return json::serialize(d);
  }
};

}  // namespace

PIPELINE_PLUGIN("core_steps", "1.1.0",
                "Core step types: set_variable, test_echo, data_transform, file_ops") {
  r.add_step<SetVariableStep>("set_variable", "1.1.0", PL_FLAG_CONCURRENT,
                              "Sets workflow variables");
  r.add_step<TestEchoStep>("test_echo", "1.0.0", PL_FLAG_CONCURRENT,
                           "Returns its value (pipeline_ex test fixture step)");
  r.add_step<core_steps::DataTransformStep>("data_transform", "1.0.0", PL_FLAG_CONCURRENT,
                                            "filter, map, aggregate, join, group_by, sort");
  r.add_step<core_steps::FileOpsStep>("file_ops", "1.0.0", PL_FLAG_CONCURRENT,
                                      "File operations confined to the workspace");
}
