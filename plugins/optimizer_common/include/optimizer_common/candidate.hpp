// One predictor's state as the "pipeline.program" service takes it: instructions and demos. A
// demo is a flat {field: value} object; a bootstrapped one carries "augmented": true.
#pragma once

#include <boost/json.hpp>

#include <string>

namespace pipeline::optimizer {

struct Candidate {
  std::string instructions;
  boost::json::array demos;

  boost::json::object to_json() const { return {{"instructions", instructions}, {"demos", demos}}; }
  static Candidate from_json(const boost::json::value& v) {
    Candidate c;
    if (const auto* o = v.if_object()) {
      if (const auto* i = o->if_contains("instructions"); i && i->is_string())
        c.instructions = std::string(i->get_string());
      if (const auto* d = o->if_contains("demos"); d && d->is_array()) c.demos = d->get_array();
    }
    return c;
  }
};

}  // namespace pipeline::optimizer
