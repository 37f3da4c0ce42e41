// Cache keys: SHA-256 of canonical JSON (key order and whitespace do not matter, every field that
// changes the answer does, the API key never does), and optimization keys grouped by signature.
#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/cache/response_cache_key.hpp>
#include <pipeline/cache/sha256.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

json::value doc(std::string_view text) {
  return *parse_json(text);
}

TEST(Sha256, MatchesTheStandardTestVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ResponseCacheKey, IgnoresKeyOrderAndWhitespace) {
  auto a = doc(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.5})");
  auto b = doc(R"({ "temperature" : 0.5, "messages" : [ {"content":"hi", "role":"user"} ],
                   "model" : "m" })");
  EXPECT_EQ(ResponseCacheKey::make("anthropic", "http://x", a),
            ResponseCacheKey::make("anthropic", "http://x", b));
}

TEST(ResponseCacheKey, IsCanonicalSortedCompactJson) {
  auto r = doc(R"({"model":"m","messages":[],"api_key":"sk-secret","stream":true})");
  EXPECT_EQ(ResponseCacheKey::canonical("p", "u", r),
            R"({"base_url":"u","provider":"p","request":{"messages":[],"model":"m"}})");
}

TEST(ResponseCacheKey, EveryFieldThatChangesTheAnswerChangesTheKey) {
  auto base = doc(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0})");
  const std::string k = ResponseCacheKey::make("p", "u", base);
  EXPECT_EQ(k.rfind("resp:v1:", 0), 0u);
  EXPECT_EQ(k.size(), 8u + 64u);
  EXPECT_NE(k, ResponseCacheKey::make("q", "u", base));
  EXPECT_NE(k, ResponseCacheKey::make("p", "v", base));
  for (const char* changed :
       {R"({"model":"m2","messages":[{"role":"user","content":"hi"}],"temperature":0})",
        R"({"model":"m","messages":[{"role":"user","content":"ho"}],"temperature":0})",
        R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1})",
        R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0,"top_p":1})"}) {
    EXPECT_NE(k, ResponseCacheKey::make("p", "u", doc(changed))) << changed;
  }
}

TEST(ResponseCacheKey, NeverDependsOnTheApiKey) {
  auto a = doc(R"({"model":"m","messages":[],"api_key":"sk-one"})");
  auto b = doc(R"({"model":"m","messages":[],"api_key":"sk-two"})");
  EXPECT_EQ(ResponseCacheKey::make("p", "u", a), ResponseCacheKey::make("p", "u", b));
  EXPECT_EQ(ResponseCacheKey::canonical("p", "u", a).find("sk-one"), std::string::npos);
}

TEST(OptimizationCacheKey, AllKeysOfASignatureShareItsPrefix) {
  auto params = doc(R"({"max_demos":4,"seed":1})");
  const std::string ts = OptimizationCacheKey::hash_trainset(doc(R"([{"q":"a"}])"));
  const std::string k1 = OptimizationCacheKey::make("abc123", "bootstrap", params, ts, "m");
  const std::string k2 = OptimizationCacheKey::make("abc123", "mipro", params, ts, "m");
  const std::string other = OptimizationCacheKey::make("abc1234", "bootstrap", params, ts, "m");
  const std::string prefix = OptimizationCacheKey::signature_prefix("abc123");
  EXPECT_EQ(prefix, "opt:v1:abc123:");
  EXPECT_EQ(k1.rfind(prefix, 0), 0u);
  EXPECT_EQ(k2.rfind(prefix, 0), 0u);
  EXPECT_NE(other.rfind(prefix, 0), 0u) << "a longer signature must not match";
  EXPECT_NE(k1, k2);
}

TEST(OptimizationCacheKey, EveryInputChangesTheKeyButParamOrderDoesNot) {
  auto p = doc(R"({"a":1,"b":2})");
  const std::string k = OptimizationCacheKey::make("s", "o", p, "t", "m");
  EXPECT_EQ(k, OptimizationCacheKey::make("s", "o", doc(R"({"b":2,"a":1})"), "t", "m"));
  EXPECT_NE(k, OptimizationCacheKey::make("s", "o2", p, "t", "m"));
  EXPECT_NE(k, OptimizationCacheKey::make("s", "o", doc(R"({"a":1,"b":3})"), "t", "m"));
  EXPECT_NE(k, OptimizationCacheKey::make("s", "o", p, "t2", "m"));
  EXPECT_NE(k, OptimizationCacheKey::make("s", "o", p, "t", "m2"));
}

TEST(OptimizationCacheKey, ASignatureWithASeparatorIsHashed) {
  const std::string prefix = OptimizationCacheKey::signature_prefix("a:b");
  EXPECT_EQ(prefix.find("a:b"), std::string::npos);
  EXPECT_EQ(prefix.size(), 7u + 64u + 1u);
}

}  // namespace
}  // namespace pipeline
