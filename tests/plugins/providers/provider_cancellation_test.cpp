// Cancellation through the call context and the call's deadline, while waiting for a reply,
// inside a stream and between retries.
#include <boost/json.hpp>

#include <thread>

#include "provider_fixture.hpp"

namespace pipeline::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

class ProviderCancellationTest : public ProviderTest {
 protected:
  // Cancels `token` once the server has received `requests` requests.
  std::thread cancel_after_requests(CancellationToken token, size_t requests) {
    return std::thread([this, token, requests] {
      while (server().request_count() < requests) std::this_thread::sleep_for(milliseconds(2));
      std::this_thread::sleep_for(milliseconds(20));
      token.cancel();
    });
  }
};

TEST_P(ProviderCancellationTest, CancelWhileWaitingForTheFirstByte) {
  auto p = make({{"first_byte_timeout_ms", 30000}});
  ASSERT_TRUE(p);
  server().push_fault("slow_first_byte;ms=30000", 1);
  CallOptions o;
  std::thread canceller = cancel_after_requests(o.cancel, 1);
  Outcome out = call(*p, request("never mind"), o);
  canceller.join();
  EXPECT_EQ(out.status, PL_CANCELLED);
  EXPECT_EQ(out.error_class(), "cancelled");
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderCancellationTest, CancelInsideAStalledStream) {
  auto p = make({{"idle_timeout_ms", 30000}});
  ASSERT_TRUE(p);
  server().push_fault("stall;ms=30000", 1);
  CallOptions o;
  std::thread canceller = cancel_after_requests(o.cancel, 1);
  Outcome out = call(*p, request("stop streaming", true), o);
  canceller.join();
  EXPECT_EQ(out.status, PL_CANCELLED);
}

TEST_P(ProviderCancellationTest, CancelWhileWaitingToRetry) {
  auto p = make({{"max_retry_after_ms", 60000}});
  ASSERT_TRUE(p);
  server().push_fault("rate_limit;retry_after_ms=30000", 1);
  CallOptions o;
  std::thread canceller = cancel_after_requests(o.cancel, 1);
  Outcome out = call(*p, request("stop waiting"), o);
  canceller.join();
  EXPECT_EQ(out.status, PL_CANCELLED);
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderCancellationTest, TheCallDeadlineBoundsTheWait) {
  auto p = make({{"first_byte_timeout_ms", 30000}, {"max_attempts", 1}});
  ASSERT_TRUE(p);
  server().push_fault("slow_first_byte;ms=30000", 1);
  CallOptions o;
  o.timeout = milliseconds(200);
  Outcome out = call(*p, request("in a hurry"), o);
  EXPECT_EQ(out.status, PL_DEADLINE_EXCEEDED);
  EXPECT_EQ(out.error_class(), "timeout");
}

TEST_P(ProviderCancellationTest, NoRetryWhenTheDeadlineIsCloserThanRetryAfter) {
  auto p = make();
  ASSERT_TRUE(p);
  server().push_fault("rate_limit;retry_after_ms=5000", 1);
  CallOptions o;
  o.timeout = milliseconds(2000);
  Outcome out = call(*p, request("no time"), o);
  EXPECT_EQ(out.error_class(), "rate_limited");
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderCancellationTest, TotalTimeoutBoundsOneAttempt) {
  // The stream keeps trickling (no idle timeout) but the attempt may not exceed timeout_ms.
  auto p = make({{"timeout_ms", 200}, {"idle_timeout_ms", 30000}, {"max_attempts", 1}});
  ASSERT_TRUE(p);
  server().push_fault("stall;ms=30000", 1);
  Outcome out = call(*p, request("slow stream", true));
  EXPECT_EQ(out.error_class(), "timeout");
  EXPECT_NE(out.error.at("message").as_string().find("timeout_ms"), json::string::npos);
}

PIPELINE_ALL_PROVIDERS(ProviderCancellationTest);

}  // namespace
}  // namespace pipeline::testing
