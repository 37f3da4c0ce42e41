// GEPA's per-example Pareto front: per-example bests and ties, removal of dominated candidates,
// and selection weighted by how many fronts a candidate is on.
#include "../../../plugins/optimizer_gepa/pareto_front.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pipeline::optimizer {
namespace {

using Set = std::set<std::size_t>;

TEST(ParetoFront, KeepsPerExampleBestsAndTies) {
  ParetoFront f(3);
  f.add(0, {0.5, 0.0, 1.0});
  f.add(1, {0.5, 1.0, 0.0});
  EXPECT_EQ(f.fronts()[0], (Set{0, 1}));  // a tie joins the front
  EXPECT_EQ(f.fronts()[1], (Set{1}));
  EXPECT_EQ(f.fronts()[2], (Set{0}));
  f.add(2, {0.75, 0.0, 1.0});
  EXPECT_EQ(f.fronts()[0], (Set{2}));  // a better score replaces the front
  EXPECT_EQ(f.fronts()[2], (Set{0, 2}));
  EXPECT_EQ(f.best(), (std::vector<double>{0.75, 1.0, 1.0}));
}

TEST(ParetoFront, RemovesDominatedCandidates) {
  ParetoFront f(3);
  f.add(0, {1, 0, 0});
  f.add(1, {0, 1, 0});
  f.add(2, {1, 1, 0});  // on every front 0 and 1 are on
  const std::vector<double> mean{1.0 / 3, 1.0 / 3, 2.0 / 3};
  for (const auto& front : f.without_dominated(mean)) EXPECT_EQ(front, (Set{2}));
  EXPECT_EQ(f.frequencies(mean), (std::vector<std::pair<std::size_t, std::size_t>>{{2, 3}}));
  Rng rng(1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(f.select(mean, rng), 2u);
}

TEST(ParetoFront, KeepsCandidatesEachBestSomewhere) {
  ParetoFront f(2);
  f.add(0, {1, 0});
  f.add(1, {0, 1});
  const std::vector<double> mean{0.5, 0.5};
  auto fronts = f.without_dominated(mean);
  EXPECT_EQ(fronts[0], (Set{0}));
  EXPECT_EQ(fronts[1], (Set{1}));
}

TEST(ParetoFront, SelectionIsWeightedByFrontFrequency) {
  ParetoFront f(3);
  f.add(0, {1, 1, 0});
  f.add(1, {0, 0, 1});
  const std::vector<double> mean{2.0 / 3, 1.0 / 3};
  EXPECT_EQ(f.frequencies(mean),
            (std::vector<std::pair<std::size_t, std::size_t>>{{0, 2}, {1, 1}}));
  Rng rng(5);
  std::map<std::size_t, int> picks;
  for (int i = 0; i < 3000; ++i) ++picks[f.select(mean, rng)];
  EXPECT_NEAR(picks[0] / 3000.0, 2.0 / 3, 0.04);
  EXPECT_NEAR(picks[1] / 3000.0, 1.0 / 3, 0.04);
}

TEST(ParetoFront, DominanceIsTestedFromTheLowestMeanUp) {
  // 0 and 1 share every front: whichever is tested first goes, and that is the lower mean.
  ParetoFront f(2);
  f.add(0, {1, 1});
  f.add(1, {1, 1});
  EXPECT_EQ(f.frequencies({0.9, 0.4}), (std::vector<std::pair<std::size_t, std::size_t>>{{0, 2}}));
  EXPECT_EQ(f.frequencies({0.4, 0.9}), (std::vector<std::pair<std::size_t, std::size_t>>{{1, 2}}));
}

}  // namespace
}  // namespace pipeline::optimizer
