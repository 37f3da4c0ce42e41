#include <pipeline/llm/completion_error.hpp>
#include <pipeline/llm/fallback_layer.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>

namespace pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = FallbackEntry::Kind;

// The layers below the fallback layer, scripted per instance: each instance answers with the
// next error class of its queue ("" or an empty queue: success), and says who answered.
class ScriptedInstances : public Completion {
 public:
  explicit ScriptedInstances(std::shared_ptr<const ProviderRoutes> routes)
      : routes_(std::move(routes)) {}
  void script(const std::string& instance, std::deque<std::string> classes) {
    std::lock_guard lock(mu_);
    script_[instance] = std::move(classes);
  }
  std::vector<std::string> asked() const {
    std::lock_guard lock(mu_);
    return asked_;
  }
  CallResult complete(std::string_view request_json, const CompletionCall& call) override {
    auto route = routes_->route(json::parse(request_json).as_object(), call.frame);
    std::string cls;
    {
      std::lock_guard lock(mu_);
      asked_.push_back(route.name);
      auto& q = script_[route.name];
      if (!q.empty()) {
        cls = q.front();
        q.pop_front();
      }
    }
    call.record->provider = route.name;
    call.record->attempts = 2;  // as a plugin that retried once
    if (!cls.empty()) {
      call.record->failed = true;
      call.record->error_class = cls;
      return completion_error(PL_UNAVAILABLE, cls, route.name + ": HTTP 429 try later");
    }
    call.record->cost_usd = 0.5;
    return {PL_OK, R"({"text":"from )" + route.name + R"("})", {}};
  }

 private:
  std::shared_ptr<const ProviderRoutes> routes_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<std::string>> script_;
  std::vector<std::string> asked_;
};

std::shared_ptr<const ProviderRoutes> routes() {
  std::map<std::string, ProviderRoutes::Provider> p;
  for (const char* n : {"primary", "backup", "spare"}) p[n] = {nullptr, "scripted", "", {}};
  return std::make_shared<ProviderRoutes>(std::move(p), std::map<std::string, std::string>{},
                                          "primary");
}

FallbackConfig config(std::set<std::string> on = {}) {
  FallbackConfig c;
  c.declared = true;
  c.chain = {{Kind::kVariant, "traditional", {}},
             {Kind::kProvider, "backup", {}},
             {Kind::kProvider, "spare", {}}};
  c.on = std::move(on);
  return c;
}

struct Fixture {
  explicit Fixture(FallbackConfig cfg = config(), std::shared_ptr<ProviderCooldown> cd = nullptr) {
    auto r = routes();
    auto next = std::make_unique<ScriptedInstances>(r);
    below = next.get();
    layer = std::make_unique<FallbackLayer>(
        std::move(next), r, std::make_shared<FallbackChain>(std::move(cfg)), std::move(cd));
  }
  CallResult call(CallRecord& rec, bool fallback = true) {
    CallFrame frame{.step = "s", .log = &log};
    frame.fallback = fallback;
    CallContext ctx;
    return layer->complete(R"({"messages":[]})", CompletionCall{ctx, frame, &rec});
  }
  ScriptedInstances* below;
  std::unique_ptr<FallbackLayer> layer;
  CallLog log;
};

TEST(FallbackLayer, EveryProviderClassMovesTheCallToTheBackup) {
  for (const char* cls : {"rate_limited", "overloaded", "server_error", "network", "timeout"}) {
    Fixture f;
    f.below->script("primary", {cls});
    CallRecord rec;
    CallResult r = f.call(rec);
    ASSERT_TRUE(r.ok()) << cls << ": " << r.error;
    EXPECT_EQ(r.body, R"({"text":"from backup"})");
    EXPECT_THAT(f.below->asked(), ElementsAre("primary", "backup"));
    EXPECT_EQ(rec.provider, "backup");
    EXPECT_FALSE(rec.failed);
    EXPECT_EQ(rec.fallback_hops, 1);
    EXPECT_EQ(rec.attempts, 4) << "both instances' attempts";
    auto hops = f.log.hops();
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_EQ(hops[0].from, "primary");
    EXPECT_EQ(hops[0].to, "backup");
    EXPECT_EQ(hops[0].error_class, cls);
    EXPECT_EQ(hops[0].message, "primary: HTTP 429 try later");
  }
}

TEST(FallbackLayer, ClassesThatFailAnywherePropagateWithoutAHop) {
  for (const char* cls : {"auth", "invalid_request", "context_window", "content_filter"}) {
    Fixture f;
    f.below->script("primary", {cls});
    CallRecord rec;
    CallResult r = f.call(rec);
    EXPECT_FALSE(r.ok()) << cls;
    EXPECT_EQ(error_class_of(r.error), cls);
    EXPECT_THAT(f.below->asked(), ElementsAre("primary"));
    EXPECT_EQ(rec.fallback_hops, 0);
    EXPECT_TRUE(rec.failed);
    EXPECT_TRUE(f.log.hops().empty());
  }
}

TEST(FallbackLayer, OnNamingAuthMovesAnAuthFailure) {
  Fixture f(config({"auth"}));
  f.below->script("primary", {"auth"});
  CallRecord rec;
  ASSERT_TRUE(f.call(rec).ok());
  EXPECT_EQ(rec.provider, "backup");
  ASSERT_EQ(f.log.hops().size(), 1u);
  EXPECT_EQ(f.log.hops()[0].error_class, "auth");
}

TEST(FallbackLayer, WalksEveryProviderEntryThenFailsWithTheLastError) {
  Fixture f;
  f.below->script("primary", {"rate_limited"});
  f.below->script("backup", {"overloaded"});
  f.below->script("spare", {"server_error"});
  CallRecord rec;
  CallResult r = f.call(rec);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(error_class_of(r.error), "server_error");
  EXPECT_THAT(f.below->asked(), ElementsAre("primary", "backup", "spare"));
  EXPECT_EQ(rec.provider, "spare");
  EXPECT_TRUE(rec.failed);
  EXPECT_EQ(rec.fallback_hops, 2);
  EXPECT_EQ(rec.attempts, 6);
  auto hops = f.log.hops();
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[1].from, "backup");
  EXPECT_EQ(hops[1].to, "spare");
  EXPECT_EQ(hops[1].error_class, "overloaded");
}

TEST(FallbackLayer, AFrameWithFallbackOffNeverHops) {
  Fixture f;
  f.below->script("primary", {"rate_limited"});
  CallRecord rec;
  EXPECT_FALSE(f.call(rec, /*fallback=*/false).ok());
  EXPECT_THAT(f.below->asked(), ElementsAre("primary"));
  EXPECT_TRUE(f.log.hops().empty());
}

TEST(FallbackLayer, ACooledDownProviderIsSkippedUntilItsCooldownEnds) {
  ProviderCooldown::Clock::time_point now{};
  auto cd = std::make_shared<ProviderCooldown>(
      CooldownConfig{.failures = 1, .window_seconds = 60, .seconds = 30}, [&] { return now; });
  Fixture f(config(), cd);
  f.below->script("primary", {"rate_limited"});
  CallRecord first;
  ASSERT_TRUE(f.call(first).ok());
  EXPECT_TRUE(cd->cooling("primary"));
  // The next call does not ask primary at all: a hop of class cooldown.
  CallRecord second;
  ASSERT_TRUE(f.call(second).ok());
  EXPECT_EQ(second.provider, "backup");
  EXPECT_EQ(second.fallback_hops, 1);
  EXPECT_EQ(second.attempts, 2) << "only backup was asked";
  EXPECT_THAT(f.below->asked(), ElementsAre("primary", "backup", "backup"));
  auto hops = f.log.hops();
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[1].error_class, "cooldown");
  EXPECT_THAT(hops[1].message, HasSubstr("provider 'primary' is cooling down for 30s more"));
  // Once it ends, primary is asked again.
  now += std::chrono::seconds(30);
  CallRecord third;
  ASSERT_TRUE(f.call(third).ok());
  EXPECT_EQ(third.provider, "primary");
  EXPECT_EQ(third.fallback_hops, 0);
}

TEST(FallbackLayer, ACoolingProviderWithNothingAfterItIsAskedAnyway) {
  ProviderCooldown::Clock::time_point now{};
  auto cd = std::make_shared<ProviderCooldown>(
      CooldownConfig{.failures = 1, .window_seconds = 60, .seconds = 30}, [&] { return now; });
  FallbackConfig c;
  c.chain = {{Kind::kProvider, "backup", {}}};
  Fixture f(c, cd);
  f.below->script("backup", {"overloaded"});
  CallRecord rec;
  CallFrame frame{.step = "s", .log = &f.log};
  frame.provider = "backup";  // the step is wired to the last entry itself
  CallContext ctx;
  EXPECT_FALSE(f.layer->complete(R"({"messages":[]})", CompletionCall{ctx, frame, &rec}).ok());
  EXPECT_TRUE(cd->cooling("backup"));
  CallRecord again;
  EXPECT_TRUE(f.layer->complete(R"({"messages":[]})", CompletionCall{ctx, frame, &again}).ok());
  EXPECT_THAT(f.below->asked(), ElementsAre("backup", "backup"));
}

TEST(FallbackLayer, AStreamingCallerIsToldOfTheHop) {
  Fixture f;
  f.below->script("primary", {"overloaded"});
  std::vector<std::string> events;
  CancellationToken token;
  CallContext ctx(token, std::nullopt, [&](std::string_view kind, std::string_view data) {
    events.push_back(std::string(kind) + " " + std::string(data));
    return true;
  });
  CallFrame frame{.step = "s", .log = &f.log};
  CallRecord rec;
  ASSERT_TRUE(f.layer->complete(R"({"messages":[]})", CompletionCall{ctx, frame, &rec}).ok());
  EXPECT_THAT(events,
              ElementsAre(R"(fallback {"from":"primary","to":"backup","class":"overloaded"})"));
}

TEST(FallbackLayer, ACancelledCallDoesNotHop) {
  Fixture f;
  f.below->script("primary", {"network"});
  CancellationToken token;
  token.cancel();
  CallContext ctx(token);
  CallFrame frame{.step = "s", .log = &f.log};
  CallRecord rec;
  EXPECT_FALSE(f.layer->complete(R"({"messages":[]})", CompletionCall{ctx, frame, &rec}).ok());
  EXPECT_THAT(f.below->asked(), ElementsAre("primary"));
}

}  // namespace
}  // namespace pipeline
