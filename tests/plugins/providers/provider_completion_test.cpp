// Happy paths of every provider against the mock: request translation, response shape, streaming
// equal to the concatenation of its deltas, finish reasons, cost.
#include <boost/json.hpp>

#include "provider_fixture.hpp"

namespace pipeline::testing {
namespace {

namespace json = boost::json;

class ProviderCompletionTest : public ProviderTest {};

TEST_P(ProviderCompletionTest, ReturnsTheCommonResponseShape) {
  auto p = make();
  ASSERT_TRUE(p);
  Outcome out = call(*p, request("hello there world"));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  EXPECT_EQ(out.text(), "echo: hello there world");
  EXPECT_EQ(out.response.at("finish_reason"), "stop");
  EXPECT_EQ(out.response.at("input_tokens").as_int64(), 3);
  EXPECT_EQ(out.response.at("output_tokens").as_int64(), 4);
  EXPECT_FALSE(out.response.at("model").as_string().empty());
  EXPECT_FALSE(out.response.at("request_id").as_string().empty());
  EXPECT_GE(out.response.at("latency_ms").as_int64(), 0);
  EXPECT_TRUE(out.response.at("cost_known").as_bool());
  EXPECT_GT(out.response.at("cost_usd").as_double(), 0.0);
  EXPECT_EQ(out.response.at("provider").as_string(), provider());
  EXPECT_EQ(out.response.at("attempts").as_int64(), 1);
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderCompletionTest, AStreamingRequestAnsweredWithOneJsonReplyIsTheAnswer) {
  auto p = make();
  ASSERT_TRUE(p);
  server().push_fault("ignore_stream", 1);  // a server that does not stream
  Outcome out = call(*p, request("one whole reply", true));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  EXPECT_EQ(out.text(), "echo: one whole reply");
  EXPECT_EQ(out.streamed_text(), out.text()) << "the consumer still sees the text";
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderCompletionTest, TranslatesParametersIntoTheWireFormat) {
  auto p = make();
  ASSERT_TRUE(p);
  json::object req = request("translate me");
  req["system"] = "be brief";
  req["temperature"] = 0.25;
  req["top_p"] = 0.5;
  req["top_k"] = 7;
  req["stop"] = json::array{"END"};
  req["max_tokens"] = 77;
  Outcome out = call(*p, req);
  ASSERT_TRUE(out.ok()) << out.raw_error;
  auto reqs = received();
  ASSERT_EQ(reqs.size(), 1u);
  json::object body = json::parse(reqs[0].body).as_object();
  if (provider() == "anthropic") {
    EXPECT_EQ(reqs[0].target, "/v1/messages");
    EXPECT_EQ(reqs[0].header("x-api-key"), kAnthropicKey);
    EXPECT_EQ(reqs[0].header("anthropic-version"), "2023-06-01");
    EXPECT_EQ(body.at("system"), "be brief");
    EXPECT_EQ(body.at("max_tokens").as_int64(), 77);
    EXPECT_EQ(body.at("stop_sequences").as_array().at(0), "END");
    EXPECT_DOUBLE_EQ(body.at("temperature").as_double(), 0.25);
    EXPECT_EQ(body.at("top_k").as_int64(), 7);
  } else if (provider() == "gemini") {
    EXPECT_EQ(reqs[0].target, "/v1beta/models/gemini-2.5-flash:generateContent");
    EXPECT_EQ(reqs[0].header("x-goog-api-key"), kGeminiKey);
    EXPECT_EQ(reqs[0].target.find("key="), std::string::npos) << "the key must not be in the URL";
    EXPECT_EQ(body.at("systemInstruction").at("parts").at(0).at("text"), "be brief");
    const auto& gen = body.at("generationConfig");
    EXPECT_EQ(gen.at("maxOutputTokens").as_int64(), 77);
    EXPECT_EQ(gen.at("stopSequences").at(0), "END");
    EXPECT_DOUBLE_EQ(gen.at("topP").as_double(), 0.5);
    EXPECT_EQ(gen.at("topK").as_int64(), 7);
  } else {
    EXPECT_EQ(reqs[0].target, "/v1/chat/completions");
    EXPECT_EQ(reqs[0].header("authorization"), std::string("Bearer ") + kOpenAiKey);
    EXPECT_EQ(body.at("messages").at(0).at("role"), "system");
    EXPECT_EQ(body.at("max_tokens").as_int64(), 77);
    EXPECT_EQ(body.at("stop").at(0), "END");
    EXPECT_FALSE(body.contains("top_k"));
  }
}

TEST_P(ProviderCompletionTest, StreamedTextEqualsTheConcatenationOfItsDeltas) {
  auto p = make();
  ASSERT_TRUE(p);
  Outcome out = call(*p, request("one two three four five", true));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  EXPECT_EQ(out.text(), "echo: one two three four five");
  size_t deltas = 0;
  for (const auto& e : out.events) deltas += e.first == "text_delta";
  EXPECT_GE(deltas, 6u);
  EXPECT_EQ(out.streamed_text(), out.text());
  EXPECT_EQ(out.response.at("finish_reason"), "stop");
  EXPECT_TRUE(out.response.at("streamed").as_bool());
  EXPECT_EQ(out.response.at("output_tokens").as_int64(), 6);
  if (provider() == "gemini") {
    EXPECT_NE(received().at(0).target.find(":streamGenerateContent?alt=sse"), std::string::npos);
  }
}

TEST_P(ProviderCompletionTest, ReportsLengthWhenMaxTokensCutsTheAnswer) {
  auto p = make();
  ASSERT_TRUE(p);
  for (bool stream : {false, true}) {
    json::object req = request("a b c d e f", stream);
    req["max_tokens"] = 3;
    Outcome out = call(*p, req);
    ASSERT_TRUE(out.ok()) << out.raw_error;
    EXPECT_EQ(out.text(), "echo: a b");
    EXPECT_EQ(out.response.at("finish_reason"), "length");
  }
}

TEST_P(ProviderCompletionTest, ConfiguredPricesOverrideTheBuiltInTable) {
  json::object prices{{"mock-model", {{"input_per_mtok", 1000000.0}, {"output_per_mtok", 0.0}}}};
  auto p = make({{"model", "mock-model-1"}, {"prices", prices}});
  ASSERT_TRUE(p);
  Outcome out = call(*p, request("x y"));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  EXPECT_DOUBLE_EQ(out.response.at("cost_usd").as_double(), 2.0);  // 2 input tokens x $1 each
}

TEST_P(ProviderCompletionTest, RejectsAMalformedRequestWithoutSendingIt) {
  auto p = make();
  ASSERT_TRUE(p);
  Outcome out = call(*p, json::object{{"messages", "not an array"}});
  EXPECT_EQ(out.status, PL_INVALID_ARGUMENT);
  EXPECT_EQ(out.error_class(), "invalid_request");
  EXPECT_TRUE(received().empty());
}

TEST_P(ProviderCompletionTest, RejectsABadConfigAtCreate) {
  json::object c = base_config();
  c["timeout_ms"] = "soon";
  auto p = host().create_provider(provider(), json::serialize(c));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("timeout_ms"), std::string::npos);
}

PIPELINE_ALL_PROVIDERS(ProviderCompletionTest);

}  // namespace
}  // namespace pipeline::testing
