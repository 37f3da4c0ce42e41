#include <pipeline/optimize/step_optimization.hpp>

#include <pipeline/config/dspy_config.hpp>
#include <pipeline/dspy/metric.hpp>
#include <pipeline/dspy/step_dspy.hpp>

namespace pipeline {

namespace {

Status problem(const std::string& field, const std::string& message) {
  return invalid_argument(field + ": " + message);
}

// "2 bad row(s), first: file:line: why"; the caller lists them all from the message's lines.
std::string bad_rows(const std::vector<dspy::BadRow>& bad) {
  std::string out = std::to_string(bad.size()) + " bad row(s):";
  for (const auto& b : bad) out += "\n  " + b.to_string();
  return out;
}

}  // namespace

std::string choose_optimizer(const std::string& named, const Workflow& wf, const StepConfig& step,
                             const PluginHost& plugins, std::string& why) {
  std::string name = named;
  if (name.empty()) {
    Diagnostics ignored;  // validation reports them
    name = dspy_config_for(wf, &step, ignored).optimizer;
  }
  auto loaded = plugins.names(PL_KIND_OPTIMIZER);
  std::string list;
  for (const auto& n : loaded) list += (list.empty() ? "" : ", ") + n;
  if (list.empty()) list = "none";
  if (name.empty()) {
    if (loaded.size() == 1) return loaded.front();
    why = "name the optimizer to run (loaded optimizers: " + list + ")";
    return {};
  }
  if (!plugins.find(PL_KIND_OPTIMIZER, name)) {
    why = "no optimizer plugin '" + name + "' is loaded (loaded optimizers: " + list + ")";
    return {};
  }
  return name;
}

Result<OptimizationSpec> step_optimization_spec(const Workflow& wf, const StepConfig& step,
                                                const HostConfig& config, const PluginHost& plugins,
                                                const StepOptimizationRequest& req) {
  Diagnostics diags;
  auto d = dspy::step_dspy_from_config(step, diags);
  if (!d) return problem("step", diags.format());
  if (req.concurrency < 1 || req.concurrency > 256)
    return problem("concurrency", "must be between 1 and 256");

  auto ds = dspy::step_dataset(step, d->signature, req.data_file);
  if (!ds) return problem("data", ds.status().message());
  if (!ds->bad.empty()) return problem("data", bad_rows(ds->bad));
  OptimizationSpec spec;
  if (!req.valset_file.empty()) {
    auto vs = dspy::load_dataset(req.valset_file, d->signature);
    if (!vs) return problem("valset", vs.status().message());
    if (!vs->bad.empty()) return problem("valset", bad_rows(vs->bad));
    if (vs->rows.empty()) return problem("valset", req.valset_file + ": no examples");
    spec.trainset = std::move(ds->rows);
    spec.valset = std::move(vs->rows);
  } else {
    if (ds->rows.size() < 2)
      return problem("data",
                     "at least 2 examples are needed to split off a validation set (or give a "
                     "validation set of its own)");
    auto split = dspy::split_dataset(ds->rows, req.validation_fraction, req.seed);
    spec.trainset = std::move(split.train);
    spec.valset = std::move(split.validation);
  }
  if (spec.trainset.empty()) return problem("data", "no training examples");

  std::string why;
  spec.optimizer = choose_optimizer(req.optimizer, wf, step, plugins, why);
  if (spec.optimizer.empty()) return problem("optimizer", why);

  spec.step = step.name;
  spec.step_type = step.type;
  spec.predict = dspy::step_predict_options(step, *d);
  spec.dspy = std::move(*d);
  spec.provider = config.provider_for(step.type);
  if (const auto* m = step.raw.if_contains("model"); m && m->is_string())
    spec.model = std::string(m->get_string());
  spec.metric = dspy::step_metric_spec(step);
  if (!req.metric.empty()) {
    auto m = dspy::parse_metric_spec(req.metric);
    if (!m) return problem("metric", m.status().message());
    spec.metric = *m;
  }
  // Checked now (an unknown type, a field the signature lacks), not when the session starts; the
  // judge is never called here.
  dspy::JudgeCall no_judge = [](const std::vector<dspy::Message>&,
                                const json::object&) -> Result<std::string> {
    return failed_precondition("not a run");
  };
  if (auto m = dspy::make_metric(spec.metric, spec.dspy.signature, no_judge); !m)
    return problem("metric", m.status().message());
  spec.params = req.params;
  spec.seed = req.seed;
  spec.budget = req.budget;
  spec.concurrency = req.concurrency;
  return spec;
}

}  // namespace pipeline
