#include <pipeline/config/host_config.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/hybrid/fallback_config.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> lines(const Diagnostics& d, Diagnostic::Severity sev) {
  std::vector<std::string> out;
  for (const auto& i : d.items()) {
    if (i.severity == sev) out.push_back(i.to_string());
  }
  return out;
}

FallbackConfig parse(const std::string& yaml, Diagnostics& d) {
  auto doc = load_yaml_string(yaml, "host.yaml", d);
  EXPECT_TRUE(doc.has_value());
  return parse_fallback_config((*doc)["fallback"], "host.yaml", d);
}

std::vector<std::string> names(const FallbackConfig& c) {
  std::vector<std::string> out;
  for (const auto& e : c.chain) out.push_back(e.name);
  return out;
}

TEST(FallbackConfig, NoSectionGivesTheArchitecturesChainWithoutProvidersOrCooldown) {
  Diagnostics d;
  FallbackConfig c = parse("providers: {}\n", d);
  EXPECT_FALSE(d.has_errors());
  EXPECT_FALSE(c.declared);
  EXPECT_THAT(names(c), ElementsAre("dspy_optimized", "traditional"));
  EXPECT_TRUE(c.providers().empty());
  EXPECT_FALSE(c.cooldown.has_value());
  EXPECT_TRUE(c.on.empty());
}

TEST(FallbackConfig, ReadsEveryEntryFormOnAndCooldown) {
  Diagnostics d;
  FallbackConfig c = parse(
      "fallback:\n"
      "  chain: [dspy_optimized, traditional, {provider: backup}, cached_response]\n"
      "  on: [auth, context_window]\n"
      "  cooldown: {failures: 2, window_seconds: 10, seconds: 0.5}\n",
      d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  EXPECT_TRUE(c.declared);
  ASSERT_EQ(c.chain.size(), 4u);
  EXPECT_EQ(c.chain[0].kind, FallbackEntry::Kind::kVariant);
  EXPECT_EQ(c.chain[2].kind, FallbackEntry::Kind::kProvider);
  EXPECT_EQ(c.chain[2].name, "backup");
  EXPECT_EQ(c.chain[2].where.line, 2);
  EXPECT_EQ(c.chain[3].kind, FallbackEntry::Kind::kCachedResponse);
  EXPECT_THAT(c.providers(), ElementsAre("backup"));
  EXPECT_TRUE(c.has_cached_response());
  EXPECT_THAT(c.on, ElementsAre("auth", "context_window"));
  ASSERT_TRUE(c.cooldown.has_value());
  EXPECT_EQ(c.cooldown->failures, 2);
  EXPECT_DOUBLE_EQ(c.cooldown->window_seconds, 10);
  EXPECT_DOUBLE_EQ(c.cooldown->seconds, 0.5);
}

TEST(FallbackConfig, CooldownKeysLeftOutKeepTheirDefaults) {
  Diagnostics d;
  FallbackConfig c = parse("fallback:\n  cooldown: {failures: 5}\n", d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  ASSERT_TRUE(c.cooldown.has_value());
  EXPECT_EQ(c.cooldown->failures, 5);
  EXPECT_DOUBLE_EQ(c.cooldown->window_seconds, CooldownConfig{}.window_seconds);
  EXPECT_DOUBLE_EQ(c.cooldown->seconds, CooldownConfig{}.seconds);
  // A section without a chain keeps the built-in one.
  EXPECT_THAT(names(c), ElementsAre("dspy_optimized", "traditional"));
}

TEST(FallbackConfig, UnknownEntryIsAnErrorAtItsLineAndColumn) {
  Diagnostics d;
  FallbackConfig c = parse(
      "fallback:\n"
      "  chain:\n"
      "    - traditional\n"
      "    - tradtional\n"
      "    - {provdier: backup}\n"
      "    - [a, b]\n",
      d);
  EXPECT_THAT(lines(d, Diagnostic::Severity::kError),
              ElementsAre(HasSubstr("host.yaml:4:7: error: fallback.chain: unknown entry "
                                    "'tradtional'"),
                          HasSubstr("host.yaml:5:8: error: fallback.chain: unknown key 'provdier'"),
                          HasSubstr("host.yaml:6:7: error: fallback.chain: expected")));
  EXPECT_THAT(names(c), ElementsAre("traditional"));
}

TEST(FallbackConfig, UnknownOrCancelledClassInOnIsAnError) {
  Diagnostics d;
  FallbackConfig c = parse("fallback:\n  on: [auth, authentication, cancelled]\n", d);
  auto errs = lines(d, Diagnostic::Severity::kError);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_THAT(errs[0], HasSubstr("host.yaml:2:14: error: fallback.on: unknown error class "
                                 "'authentication' (known: dspy_unavailable"));
  EXPECT_THAT(errs[1], HasSubstr("host.yaml:2:30: error: fallback.on: 'cancelled' cannot fall"));
  EXPECT_THAT(c.on, ElementsAre("auth"));
}

TEST(FallbackConfig, BadCooldownValuesAreErrorsAndUnknownKeysWarnings) {
  Diagnostics d;
  parse("fallback:\n  cooldown: {failures: 1.5, window_seconds: -1, seconds: soon, span: 3}\n", d);
  auto errs = lines(d, Diagnostic::Severity::kError);
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_THAT(errs[0], HasSubstr("fallback.cooldown.failures: expected an integer from 1 to "
                                 "1000000, found '1.5'"));
  EXPECT_THAT(errs[1], HasSubstr("fallback.cooldown.window_seconds: expected a number of seconds"));
  EXPECT_THAT(errs[2], HasSubstr("fallback.cooldown.seconds"));
  EXPECT_THAT(lines(d, Diagnostic::Severity::kWarning),
              ElementsAre(HasSubstr("unknown key 'fallback.cooldown.span'")));
}

TEST(FallbackConfig, HugeCooldownValuesAreErrorsNotOverflows) {
  // Found by fuzz_host_config: a count beyond int was converted with undefined behaviour.
  Diagnostics d;
  parse(
      "fallback:\n  cooldown: {failures: 8198552921648689607, window_seconds: 1e300, "
      "seconds: 1000000001}\n",
      d);
  auto errs = lines(d, Diagnostic::Severity::kError);
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_THAT(errs[0], HasSubstr("fallback.cooldown.failures: expected an integer from 1 to "
                                 "1000000, found '8198552921648689607'"));
  EXPECT_THAT(errs[1], HasSubstr("window_seconds: expected a number of seconds > 0 and at most"));
  EXPECT_THAT(errs[2], HasSubstr("fallback.cooldown.seconds"));
}

TEST(FallbackConfig, WrongShapesAreErrorsAndUnknownKeysWarnings) {
  Diagnostics d;
  parse("fallback:\n  chain: traditional\n  on: auth\n  retries: 3\n", d);
  EXPECT_THAT(lines(d, Diagnostic::Severity::kError),
              ElementsAre(HasSubstr("host.yaml:2:10: error: fallback.chain: expected a list"),
                          HasSubstr("host.yaml:3:7: error: fallback.on: expected a list")));
  EXPECT_THAT(lines(d, Diagnostic::Severity::kWarning),
              ElementsAre(HasSubstr("host.yaml:4:3: warning: unknown key 'fallback.retries'")));
}

TEST(FallbackConfig, DuplicateEntryIsAWarningAndKeptOnce) {
  Diagnostics d;
  FallbackConfig c = parse("fallback:\n  chain: [traditional, {provider: b}, {provider: b}]\n", d);
  EXPECT_FALSE(d.has_errors());
  EXPECT_THAT(lines(d, Diagnostic::Severity::kWarning),
              ElementsAre(HasSubstr("'b' is listed twice")));
  EXPECT_THAT(names(c), ElementsAre("traditional", "b"));
}

TEST(FallbackConfig, HostConfigRejectsAProviderEntryNamingNoInstance) {
  Diagnostics d;
  auto doc = load_yaml_string(
      "fallback:\n  chain: [traditional, {provider: backup}]\n"
      "providers:\n  primary: {plugin: mock}\n",
      "host.yaml", d);
  ASSERT_TRUE(doc);
  HostConfig cfg = HostConfig::builtin();
  apply_host_config(*doc, "host.yaml", cfg, d);
  EXPECT_THAT(lines(d, Diagnostic::Severity::kError),
              ElementsAre(HasSubstr("host.yaml:2:35: error: fallback.chain: provider 'backup' is "
                                    "not declared under providers (declared: mock, primary)")));
}

TEST(FallbackConfig, HostConfigAcceptsAnInstanceDeclaredAfterTheChain) {
  Diagnostics d;
  auto doc = load_yaml_string(
      "fallback:\n  chain: [traditional, {provider: backup}]\n"
      "providers:\n  backup: {plugin: mock}\n",
      "host.yaml", d);
  ASSERT_TRUE(doc);
  HostConfig cfg = HostConfig::builtin();
  apply_host_config(*doc, "host.yaml", cfg, d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  EXPECT_THAT(cfg.fallback.providers(), ElementsAre("backup"));
}

TEST(FallbackConfig, TestModeMockKeepsOnlyMockBackups) {
  HostConfig cfg = HostConfig::builtin();
  cfg.providers["live"] = {"live", "anthropic", {}, {}};
  cfg.providers["spare"] = {"spare", "mock", {}, {}};
  cfg.fallback.chain = {{FallbackEntry::Kind::kVariant, "traditional", {}},
                        {FallbackEntry::Kind::kProvider, "live", {}},
                        {FallbackEntry::Kind::kProvider, "spare", {}}};
  force_mock_providers(cfg);
  EXPECT_THAT(names(cfg.fallback), ElementsAre("traditional", "spare"));
}

}  // namespace
}  // namespace pipeline
