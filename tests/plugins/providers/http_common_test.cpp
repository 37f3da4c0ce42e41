// Unit tests of the provider plugins' shared HTTP library: SSE parsing under any chunking,
// backoff and Retry-After, price lookup, error classes.
#include <gtest/gtest.h>

#include "http_common/failure.hpp"
#include "http_common/http_provider.hpp"
#include "http_common/price_table.hpp"
#include "http_common/retry_policy.hpp"
#include "http_common/sse_parser.hpp"

namespace pipeline::http {
namespace {

std::vector<SseEvent> parse_in_chunks(std::string_view text, size_t chunk) {
  SseParser p;
  std::vector<SseEvent> out;
  for (size_t i = 0; i < text.size(); i += chunk)
    p.feed(text.substr(i, chunk), [&](const SseEvent& e) { out.push_back(e); });
  EXPECT_FALSE(p.has_partial_event());
  return out;
}

TEST(SseParser, ParsesEventsWhateverTheChunkingAndLineEndings) {
  const std::string text =
      ": keep-alive comment\n"
      "event: message_start\ndata: {\"a\":1}\n\n"
      "data: line one\r\ndata:line two\r\n\r\n"
      "event: ping\rdata: {}\r\r"
      "id: 7\ndata: last\n\n";
  for (size_t chunk = 1; chunk <= text.size(); ++chunk) {
    auto ev = parse_in_chunks(text, chunk);
    ASSERT_EQ(ev.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(ev[0].event, "message_start");
    EXPECT_EQ(ev[0].data, "{\"a\":1}");
    EXPECT_EQ(ev[1].event, "");
    EXPECT_EQ(ev[1].data, "line one\nline two");
    EXPECT_EQ(ev[2].event, "ping");
    EXPECT_EQ(ev[3].id, "7");
    EXPECT_EQ(ev[3].data, "last");
  }
}

TEST(SseParser, ReportsAnEventCutBeforeItsBlankLine) {
  SseParser p;
  int n = 0;
  p.feed("data: whole\n\ndata: cut", [&](const SseEvent&) { ++n; });
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(p.has_partial_event());
  SseParser q;
  q.feed("data: fields but no blank line\n", [&](const SseEvent&) { ++n; });
  EXPECT_TRUE(q.has_partial_event());
}

TEST(RetryPolicy, BackoffGrowsIsCappedAndJittered) {
  RetrySettings s;
  s.initial_backoff_ms = 100;
  s.multiplier = 2;
  s.max_backoff_ms = 1000;
  s.jitter = 0;
  EXPECT_EQ(backoff_delay_ms(s, 1, 0.5), 100);
  EXPECT_EQ(backoff_delay_ms(s, 2, 0.5), 200);
  EXPECT_EQ(backoff_delay_ms(s, 3, 0.5), 400);
  EXPECT_EQ(backoff_delay_ms(s, 10, 0.5), 1000);
  s.jitter = 0.5;
  EXPECT_EQ(backoff_delay_ms(s, 2, 0.0), 100);
  EXPECT_EQ(backoff_delay_ms(s, 2, 0.999999), 199);
}

TEST(RetryPolicy, ParsesRetryAfterSecondsDatesAndDurations) {
  EXPECT_EQ(parse_retry_after("3", 0), 3000);
  EXPECT_EQ(parse_retry_after(" 0.25 ", 0), 250);
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 4), 6000);
  EXPECT_FALSE(parse_retry_after("soon", 0).has_value());
  EXPECT_EQ(parse_duration_ms("30s"), 30000);
  EXPECT_EQ(parse_duration_ms("1.5s"), 1500);
  EXPECT_FALSE(parse_duration_ms("30").has_value());
}

TEST(PriceTable, LongestPrefixWinsAndConfigOverrides) {
  PriceTable t({{"gpt-4o", 2.5, 10}, {"gpt-4o-mini", 0.15, 0.6}});
  EXPECT_DOUBLE_EQ(*t.cost("gpt-4o-mini-2024-07-18", 1000000, 0), 0.15);
  EXPECT_DOUBLE_EQ(*t.cost("gpt-4o-2024-08-06", 0, 1000000), 10.0);
  EXPECT_FALSE(t.cost("llama3", 1, 1).has_value());
  t.override_with(boost::json::parse(
      R"({"gpt-4o": {"input_per_mtok": 1, "output_per_mtok": 2}, "llama3": {"input_per_mtok": 0, "output_per_mtok": 0}})"));
  EXPECT_DOUBLE_EQ(*t.cost("gpt-4o", 1000000, 1000000), 3.0);
  EXPECT_DOUBLE_EQ(*t.cost("llama3:8b", 5, 5), 0.0);
  EXPECT_THROW(t.override_with(boost::json::parse(R"({"x": {"input_per_mtok": "a"}})")),
               std::invalid_argument);
}

TEST(Failure, ClassesAndRetryability) {
  EXPECT_EQ(class_for_http_status(429), "rate_limited");
  EXPECT_EQ(class_for_http_status(529), "overloaded");
  EXPECT_EQ(class_for_http_status(503), "overloaded");
  EXPECT_EQ(class_for_http_status(500), "server_error");
  EXPECT_EQ(class_for_http_status(401), "auth");
  EXPECT_EQ(class_for_http_status(404), "invalid_request");
  for (long s : {408, 429, 500, 502, 503, 504, 529}) EXPECT_TRUE(is_retryable_http_status(s));
  for (long s : {400, 401, 403, 404, 501}) EXPECT_FALSE(is_retryable_http_status(s));
  for (auto c : {"rate_limited", "overloaded", "server_error", "timeout", "network"})
    EXPECT_TRUE(is_retryable_class(c));
  for (auto c : {"auth", "invalid_request", "context_window", "content_filter", "bad_response"})
    EXPECT_FALSE(is_retryable_class(c));
}

TEST(TextlessRefusal, IsAContentFilterFailureWhateverTheProvider) {
  Completion refused;
  refused.finish_reason = "content_filter";
  try {
    reject_textless_refusal(refused, false, "x: the model refused to answer");
    FAIL() << "a refusal without text must throw";
  } catch (const FailureError& e) {
    EXPECT_EQ(e.failure().error_class, "content_filter");
    EXPECT_EQ(e.failure().http_status, 200);
    EXPECT_EQ(e.failure().message, "x: the model refused to answer");
  }
}

TEST(TextlessRefusal, ARefusalWithTextOrAnotherFinishIsAnAnswer) {
  Completion partly;
  partly.finish_reason = "content_filter";
  EXPECT_NO_THROW(reject_textless_refusal(partly, true, "x"));
  Completion stopped;
  stopped.finish_reason = "stop";
  EXPECT_NO_THROW(reject_textless_refusal(stopped, false, "x"));
}

}  // namespace
}  // namespace pipeline::http
