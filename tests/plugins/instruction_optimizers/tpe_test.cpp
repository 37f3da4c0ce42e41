// The categorical TPE sampler MIPROv2 searches with: seeded, random for the start-up trials, then
// drawn towards the values of the best trials.
#include <optimizer_common/tpe.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace pipeline::optimizer {
namespace {

std::vector<std::vector<std::size_t>> run(std::uint64_t seed, std::size_t trials) {
  CategoricalTpe tpe({4, 6}, seed);
  std::vector<std::vector<std::size_t>> out;
  for (std::size_t t = 0; t < trials; ++t) {
    auto x = tpe.suggest();
    out.push_back(x);
    tpe.add(x, (x[0] == 2 ? 0.7 : 0.1) + (x[1] == 5 ? 0.3 : 0.0));
  }
  return out;
}

TEST(CategoricalTpe, IsDeterministicForASeed) {
  EXPECT_EQ(run(9, 40), run(9, 40));
  EXPECT_NE(run(9, 40), run(10, 40));
}

TEST(CategoricalTpe, SuggestionsStayInRange) {
  for (const auto& x : run(3, 60)) {
    ASSERT_EQ(x.size(), 2u);
    EXPECT_LT(x[0], 4u);
    EXPECT_LT(x[1], 6u);
  }
}

TEST(CategoricalTpe, ConcentratesOnTheBestValuesAfterStartup) {
  std::size_t hits_startup = 0, hits_late = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    auto xs = run(seed, 50);
    for (std::size_t t = 0; t < 10; ++t) hits_startup += xs[t][0] == 2;
    for (std::size_t t = 40; t < 50; ++t) hits_late += xs[t][0] == 2;
  }
  // Uniform start-up picks value 2 a quarter of the time; the model, most of the time.
  EXPECT_LT(hits_startup, 45u);
  EXPECT_GT(hits_late, 70u);
}

TEST(CategoricalTpe, GoodModelPutsMassOnObservedGoodValues) {
  CategoricalTpe tpe({3}, 1);
  for (int i = 0; i < 10; ++i) tpe.add({static_cast<std::size_t>(i % 3)}, i % 3 == 1 ? 1.0 : 0.0);
  // gamma(10) = 1 good trial (value 1): kernel mass 1 + 1/2 on it, 1/2 elsewhere, plus the prior.
  EXPECT_GT(tpe.good_density({1}), tpe.good_density({0}));
  EXPECT_NEAR(tpe.good_density({0}) + tpe.good_density({1}) + tpe.good_density({2}), 1.0, 1e-12);
}

}  // namespace
}  // namespace pipeline::optimizer
