// Core step types that need no LLM: set_variable.
#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace {

// set_variable: `variables: {name: value}` (already interpolated by the host) become variables
// of the run; the step's result is the map it set.
class SetVariableStep : public pipeline::sdk::Step {
 public:
  using Step::Step;

  std::string execute(const CallContext&, std::string_view input_json) override {
    json::value input = json::parse(input_json);
    const auto& step = input.as_object().at("step").as_object();
    const json::value* vars = step.if_contains("variables");
    if (vars == nullptr || !vars->is_object()) {
      throw Error(PL_INVALID_ARGUMENT, "set_variable needs a 'variables' map");
    }
    json::object out;
    out["output"] = json::object{{"variables", *vars}};
    out["set_variables"] = *vars;
    if (auto* scope = step.if_contains("scope")) out["scope"] = *scope;
    return json::serialize(out);
  }

  std::string validate(std::string_view step_json) override {
    json::value step = json::parse(step_json);
    const json::value* vars = step.as_object().if_contains("variables");
    if (vars == nullptr) {
      return R"([{"field":"variables","severity":"error","message":"set_variable needs a 'variables' map of name: value"}])";
    }
    if (!vars->is_object()) {
      return R"([{"field":"variables","severity":"error","message":"'variables' must be a map of name: value"}])";
    }
    return "[]";
  }
};

}  // namespace

PIPELINE_PLUGIN("core_steps", "1.0.0", "Core step types: set_variable") {
  r.add_step<SetVariableStep>("set_variable", "1.0.0", PL_FLAG_CONCURRENT,
                              "Sets workflow variables");
}
