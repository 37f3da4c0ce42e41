// The pl_optimizer_vtable glue every optimizer plugin shares: parse the task, read and validate
// the parameters (before any call, so a mistyped --param costs no LM call), run the search over
// the host's pipeline.program service, and return the best candidate as the result document.
// A plugin then only names its two functions:
//
//   BootstrapSettings parse(const Task& task);                       // throws for bad params
//   BootstrapResult search(SearchHost&, const Task&, const BootstrapSettings&);  // has .best
//   r.add_optimizer<SearchOptimizer<parse, search>>("bootstrap_few_shot", "1.0.0");
#pragma once

#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace pipeline::optimizer {

template <auto Parse, auto Search>
class SearchOptimizer : public sdk::Optimizer {
 public:
  using Optimizer::Optimizer;

  std::string optimize(const sdk::CallContext& ctx, std::string_view task_json) override {
    const Task task = Task::parse(task_json);
    const auto settings = Parse(task);
    ServiceSearchHost host(this->host(), ctx);
    // A spent budget or a cancel is not an error here: the search returned its best so far.
    return boost::json::serialize(Search(host, task, settings).best.to_json());
  }
};

}  // namespace pipeline::optimizer
