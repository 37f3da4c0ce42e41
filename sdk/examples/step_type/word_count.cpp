// word_count.cpp — a step type: counts the words of its rendered prompt and, with `ask: true`,
// also asks the host's completion service (so caching, fallback and metrics apply) for a reply.
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <sstream>

namespace json = boost::json;

class WordCount : public pipeline::sdk::Step {
 public:
  using Step::Step;

  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input) override {
    json::object in = pipeline::sdk::parse_json(input).as_object();
    std::string text(in.at("prompt_text").as_string());
    std::istringstream words(text);
    std::int64_t count = 0;
    for (std::string w; words >> w;) ++count;
    json::object output{{"words", count}};
    const json::object& step = in.at("step").as_object();
    if (auto* ask = step.if_contains("ask"); ask && ask->is_bool() && ask->as_bool()) {
      json::object request{
          {"messages", json::array{json::object{{"role", "user"}, {"content", text}}}}};
      auto r = host().complete(ctx, json::serialize(request));
      if (!r.ok()) throw pipeline::sdk::Error(r.status, r.error);
      output["reply"] = pipeline::sdk::parse_json(r.body).at("text");
    }
    return json::serialize(json::object{{"output", output}});
  }

  // Checked before the run: `ask` must be a boolean.
  std::string validate(std::string_view step_json) override {
    json::object step = pipeline::sdk::parse_json(step_json).as_object();
    if (auto* ask = step.if_contains("ask"); ask && !ask->is_bool()) {
      return R"([{"field": "ask", "message": "expected true or false", "severity": "error"}])";
    }
    return "[]";
  }
};

PIPELINE_PLUGIN("word_count", "1.0.0", "Counts the words of a prompt") {
  r.add_step<WordCount>("word_count", "1.0.0");
}
