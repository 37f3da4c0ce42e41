// The `simulate:` setting of a mock provider instance (docs/config.md): `simulate: true` or
// `simulate: {seed, noise, min_overlap, fallback, rule_min_support, rule_min_purity,
// rule_max_words, reflection_words}`. A bad value is an error naming the key.
//
//   SimulationSettings s = SimulationSettings::from_config(cfg.at("simulate"));
#pragma once

#include "labelled_words.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace pipeline::mock {

struct SimulationSettings {
  bool enabled = false;
  uint64_t seed = 0;
  double noise = 0.0;   // share of task answers replaced by another label
  int min_overlap = 2;  // content words a demo must share with the input to be copied
  std::string fallback;
  DerivationSettings derivation;
  int reflection_words = 2;  // new cue words a GEPA reflection takes from a failing example

  static SimulationSettings from_config(const boost::json::value& v);
};

}  // namespace pipeline::mock
