// Many calls in flight from many threads on one provider instance (PL_FLAG_CONCURRENT): every
// answer is the right one, and connections are reused rather than opened per request.
#include <boost/json.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "provider_fixture.hpp"

namespace pipeline::testing {
namespace {

class ProviderConcurrencyTest : public ProviderTest {};

TEST_P(ProviderConcurrencyTest, ManyThreadsShareOneInstance) {
  auto p = make();
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->component().flags() & PL_FLAG_CONCURRENT);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 8;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string text = "thread " + std::to_string(t) + " call " + std::to_string(i);
        Outcome out = call(*p, request(text, i % 2 == 1));
        if (out.ok() && out.text() == "echo: " + text &&
            (i % 2 == 0 || out.streamed_text() == out.text()))
          ++good;
        else
          ADD_FAILURE() << out.raw_error << out.raw_response;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kPerThread);
  auto reqs = received();
  ASSERT_EQ(reqs.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<int> ports;
  for (const auto& r : reqs) ports.insert(r.remote_port);
  // Each thread reuses a pooled connection: far fewer connections than requests.
  EXPECT_LE(ports.size(), static_cast<size_t>(kThreads * 2));
}

PIPELINE_ALL_PROVIDERS(ProviderConcurrencyTest);

}  // namespace
}  // namespace pipeline::testing
