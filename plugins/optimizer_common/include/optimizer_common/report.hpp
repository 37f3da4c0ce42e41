// Progress events from search logic: a cancel seen on the progress channel stops the search the
// same way a cancelled service call does (Stopped), so every optimizer has one stop path.
//
//   report(host, {{"stage", "trial"}, {"candidate", k}, {"of", n}, {"best_score", best}});
#pragma once

#include <optimizer_common/search_host.hpp>

#include <boost/json.hpp>

namespace pipeline::optimizer {

inline void report(SearchHost& host, const boost::json::object& event) {
  if (!host.progress(event)) throw Stopped(PL_CANCELLED, "the optimization was cancelled");
}

}  // namespace pipeline::optimizer
