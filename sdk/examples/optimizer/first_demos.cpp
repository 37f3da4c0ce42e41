// first_demos.cpp — the simplest optimizer: a program whose demos are the first `k` (param,
// default 2) training examples. Real optimizers score candidates through the host; this one shows
// the shapes going in and out.
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

namespace json = boost::json;

class FirstDemos : public pipeline::sdk::Optimizer {
 public:
  using Optimizer::Optimizer;

  std::string optimize(const pipeline::sdk::CallContext& ctx, std::string_view task) override {
    json::object in = pipeline::sdk::parse_json(task).as_object();
    std::int64_t k = 2;
    if (auto* params = in.if_contains("params"); params && params->is_object()) {
      if (auto* v = params->as_object().if_contains("k"); v && v->is_int64()) k = v->as_int64();
    }
    json::array demos;
    for (const auto& example : in.at("trainset").as_array()) {
      if (static_cast<std::int64_t>(demos.size()) >= k || ctx.cancelled()) break;
      demos.push_back(example);
    }
    json::object predictor{{"demos", demos}, {"signature", in.at("signature")}};
    return json::serialize(json::object{{"predict", predictor}});
  }
};

PIPELINE_PLUGIN("first_demos", "1.0.0", "Keeps the first k training examples as demos") {
  r.add_optimizer<FirstDemos>("first_demos", "1.0.0");
}
