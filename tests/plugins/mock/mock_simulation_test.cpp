// The mock provider's simulation mode, loaded as the built .so through PluginHost: prompts are
// rendered by the framework's own ChatAdapter / JSONAdapter (and GEPA's reflection template), and
// each documented rule of docs/optimization.md "Offline demonstration" is pinned here.
#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_adapter.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <reflection_prompt.hpp>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pipeline {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kLabels =
    "ticket -> category: Literal['billing', 'technical', 'account', 'shipping', 'other']";

PluginHost& host() {
  static PluginHost* h = [] {
    auto* host = new PluginHost();  // lives for the whole test binary, like a real host
    Status st = host->load_file(std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_mock.so");
    if (!st.ok()) ADD_FAILURE() << st.message();
    return host;
  }();
  return *h;
}

class MockSimulationTest : public ::testing::Test {
 protected:
  std::shared_ptr<ProviderInstance> make(json::object simulate, json::object extra = {}) {
    json::object cfg = std::move(extra);
    cfg["simulate"] = std::move(simulate);
    auto p = host().create_provider("mock", json::serialize(cfg));
    if (!p.ok()) {
      ADD_FAILURE() << p.status().message();
      return nullptr;
    }
    return *p;
  }

  static std::string complete(const ProviderInstance& p, const json::object& request) {
    CallContext ctx(CancellationToken{}, std::nullopt,
                    [](std::string_view, std::string_view) { return true; });
    CallResult r = p.complete(json::serialize(request), ctx);
    EXPECT_TRUE(r.ok()) << r.error;
    if (!r.ok()) return {};
    return std::string(json::parse(r.body).at("text").as_string());
  }

  static json::object request(const std::vector<dspy::Message>& messages,
                              const dspy::Adapter& adapter, const dspy::Signature& sig) {
    json::array ms;
    for (const auto& m : messages)
      ms.push_back(json::object{{"role", m.role}, {"content", m.content}});
    json::object req{{"messages", std::move(ms)}};
    for (const auto& kv : adapter.request_options(sig)) req[kv.key()] = kv.value();
    return req;
  }

  static dspy::Signature signature(const std::string& text, const std::string& instructions) {
    auto sig = dspy::parse_signature_string(text, instructions);
    EXPECT_TRUE(sig.ok()) << sig.status().message();
    return *sig;
  }

  // One task call through the ChatAdapter; the parsed outputs (the reply must parse).
  json::object ask(const ProviderInstance& p, const std::string& instructions,
                   const std::vector<dspy::Example>& demos, const std::string& ticket,
                   std::string* raw = nullptr, const char* sig_text = kLabels) {
    dspy::ChatAdapter chat;
    dspy::Signature sig = signature(sig_text, instructions);
    std::string reply =
        complete(p, request(chat.format(sig, demos, {{"ticket", ticket}}), chat, sig));
    if (raw) *raw = reply;
    auto parsed = chat.parse(sig, reply);
    EXPECT_TRUE(parsed.ok()) << reply;
    return parsed.ok() ? parsed.fields() : json::object{};
  }

  std::string label(const ProviderInstance& p, const std::string& instructions,
                    const std::vector<dspy::Example>& demos, const std::string& ticket) {
    auto out = ask(p, instructions, demos, ticket);
    const auto* v = out.if_contains("category");
    return v && v->is_string() ? std::string(v->get_string()) : std::string("<none>");
  }

  static dspy::Example demo(const std::string& ticket, const std::string& category) {
    return {{"ticket", ticket}, {"category", category}};
  }
};

constexpr const char* kRules =
    "Classify the support ticket.\n"
    "If the ticket mentions \"refund\" or \"invoice\", answer billing.\n"
    "If the ticket mentions \"error\", \"crashes\" or \"tracking page\", answer technical.";

TEST_F(MockSimulationTest, FollowsTheFirstRuleWhosePhraseTheInputMentions) {
  auto p = make({});
  ASSERT_TRUE(p);
  EXPECT_EQ(label(*p, kRules, {}, "I want a refund, the app crashes"), "billing");
  EXPECT_EQ(label(*p, kRules, {}, "The app crashes on start"), "technical");
  EXPECT_EQ(label(*p, kRules, {}, "The TRACKING  page is empty"), "technical")
      << "a phrase matches as whole words, case-insensitively";
}

TEST_F(MockSimulationTest, ARulePhraseMatchesWholeWordsOnly) {
  auto p = make({});
  ASSERT_TRUE(p);
  // "errored" is not the word "error": no rule answers, and with no demo and no label named the
  // fallback is the Literal's first value.
  EXPECT_EQ(label(*p, "If the ticket mentions \"error\", answer technical.", {}, "It errored out"),
            "billing");
  EXPECT_EQ(label(*p, "If the ticket mentions \"error\", answer technical.", {}, "An error."),
            "technical");
}

TEST_F(MockSimulationTest, RulesInTheDocumentedFormAreReadInTheirVariants) {
  auto p = make({});
  ASSERT_TRUE(p);
  const std::string variants =
      "Sort tickets. if a message contains \"parcel\", then answer: `shipping`; IF THE TICKET "
      "MENTION \"pin\" answer account.";
  EXPECT_EQ(label(*p, variants, {}, "Where is my parcel"), "shipping");
  EXPECT_EQ(label(*p, variants, {}, "I lost my pin"), "account");
}

TEST_F(MockSimulationTest, CopiesTheDemoSharingTheMostContentWords) {
  auto p = make({});
  ASSERT_TRUE(p);
  std::vector<dspy::Example> demos{demo("My parcel never arrived at the office", "shipping"),
                                   demo("The parcel tracker shows an error message", "technical"),
                                   demo("Question about the parcel", "other")};
  // Shares "parcel", "tracker", "error", "message" with demo 2 and "parcel" with the others.
  EXPECT_EQ(
      label(*p, "Classify the support ticket.", demos, "The parcel tracker has an error message"),
      "technical");
  // Ties go to the earlier demo: "parcel" + "never" vs "parcel" + "message".
  EXPECT_EQ(label(*p, "Classify the support ticket.", demos, "parcel never message"), "shipping");
}

TEST_F(MockSimulationTest, ADemoSharingFewerThanMinOverlapWordsIsNotCopied) {
  auto p = make({{"min_overlap", 3}});
  ASSERT_TRUE(p);
  std::vector<dspy::Example> demos{demo("My parcel never arrived at the office", "shipping"),
                                   demo("The tracker shows an error", "technical"),
                                   demo("The tracker crashed again", "technical")};
  // Two shared words with demo 1 only: the fallback, the most common demo label.
  EXPECT_EQ(label(*p, "Classify the support ticket.", demos, "parcel arrived"), "technical");
  EXPECT_EQ(label(*p, "Classify the support ticket.", demos, "parcel never arrived"), "shipping");
}

TEST_F(MockSimulationTest, StopwordsAndShortWordsNeverCountAsShared) {
  auto p = make({{"min_overlap", 1}});
  ASSERT_TRUE(p);
  std::vector<dspy::Example> demos{
      demo("Hey, morning! Please help, thanks, my it is. Regards", "shipping"),
      demo("login", "account"), demo("login", "account")};
  // Only stopwords, greetings, sign-offs and two-letter words in common with demo 1: the most
  // common label answers.
  EXPECT_EQ(label(*p, "Classify the support ticket.", demos,
                  "Hey. Morning, please, thanks, it is my. Regards"),
            "account");
}

TEST_F(MockSimulationTest, WithoutRulesOrDemosALabelNamedInTheInputAnswersElseTheFallback) {
  auto p = make({});
  ASSERT_TRUE(p);
  EXPECT_EQ(label(*p, "Classify the support ticket.", {}, "A question on shipping times"),
            "shipping");
  EXPECT_EQ(label(*p, "Classify the support ticket.", {}, "Hello there"), "billing")
      << "the Literal's first value";
  auto q = make({{"fallback", "other"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(label(*q, "Classify the support ticket.", {}, "Hello there"), "other");
}

TEST_F(MockSimulationTest, NoiseIsAHashOfSeedAndPromptSoEachPromptHasOneAnswer) {
  auto a = make({{"noise", 0.5}, {"seed", 7}});
  auto b = make({{"noise", 0.5}, {"seed", 7}});
  auto c = make({{"noise", 0.5}, {"seed", 8}});
  ASSERT_TRUE(a && b && c);
  int flipped = 0, differ_by_seed = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string t = "Ticket " + std::to_string(i) + ": where is my refund";
    const std::string x = label(*a, kRules, {}, t);
    EXPECT_EQ(x, label(*a, kRules, {}, t)) << "the same prompt twice";
    EXPECT_EQ(x, label(*b, kRules, {}, t)) << "another instance with the same seed";
    EXPECT_THAT(x, ::testing::AnyOf("billing", "technical", "account", "shipping", "other"));
    flipped += x != "billing";
    differ_by_seed += x != label(*c, kRules, {}, t);
  }
  EXPECT_GT(flipped, 15);
  EXPECT_LT(flipped, 45);
  EXPECT_GT(differ_by_seed, 0) << "the seed changes which prompts are noisy";
  auto quiet = make({{"seed", 7}});
  ASSERT_TRUE(quiet);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(label(*quiet, kRules, {}, "Ticket " + std::to_string(i) + ": where is my refund"),
              "billing");
}

TEST_F(MockSimulationTest, AnswersAJsonAdapterPromptWithAJsonObjectOfTypedFields) {
  auto p = make({});
  ASSERT_TRUE(p);
  dspy::JSONAdapter js;
  dspy::Signature sig =
      signature("ticket -> category: Literal['billing', 'technical'], confidence: float", kRules);
  std::vector<dspy::Example> demos{
      {{"ticket", "The screen stays black"}, {"category", "technical"}, {"confidence", 0.25}}};
  json::object req =
      request(js.format(sig, demos, {{"ticket", "The screen stays black again"}}), js, sig);
  std::string reply = complete(*p, req);
  json::value v = json::parse(reply);
  ASSERT_TRUE(v.is_object()) << reply;
  EXPECT_EQ(v.at("category"), "technical");
  EXPECT_TRUE(v.at("confidence").is_number()) << reply;
  auto parsed = js.parse(sig, reply);
  ASSERT_TRUE(parsed.ok()) << reply;
  EXPECT_DOUBLE_EQ(parsed.fields().at("confidence").to_number<double>(), 0.25)
      << "the copied demo's other fields";
  // A rule answers in JSON too.
  req = request(js.format(sig, {}, {{"ticket", "refund please"}}), js, sig);
  EXPECT_EQ(json::parse(complete(*p, req)).at("category"), "billing");
}

TEST_F(MockSimulationTest, ChatRepliesUseTheAdapterFormatAndSayWhatAnswered) {
  auto p = make({});
  ASSERT_TRUE(p);
  std::string raw;
  auto out = ask(*p, kRules, {}, "refund now", &raw,
                 "ticket -> reasoning, category: Literal['billing', 'technical']");
  EXPECT_EQ(raw.substr(0, 18), "[[ ## reasoning ##");
  EXPECT_THAT(raw, HasSubstr("[[ ## category ## ]]\nbilling\n\n[[ ## completed ## ]]"));
  EXPECT_THAT(std::string(out.at("reasoning").as_string()), HasSubstr("rule 1 (\"refund\")"));
}

TEST_F(MockSimulationTest, MiproObservationsListEachExamplesWordsAndTheSummaryStatesRules) {
  auto p = make({});
  ASSERT_TRUE(p);
  dspy::ChatAdapter chat;
  dspy::Signature obs =
      signature("examples -> observations", "Given several examples from a dataset");
  auto ex = [](const std::string& t, const std::string& c) {
    return "Example(" + json::serialize(json::object{{"ticket", t}, {"category", c}}) +
           ") (input_keys={ticket})";
  };
  std::string batch1 = "[" + ex("refund for the lamp", "billing") + ", " +
                       ex("my refund is late", "billing") + ", " +
                       ex("the lamp package is late", "shipping") + "]";
  std::string batch2 =
      "[" + ex("package lost", "shipping") + ", " + ex("refund twice", "billing") + "]";
  std::string o1 = complete(*p, request(chat.format(obs, {}, {{"examples", batch1}}), chat, obs));
  auto f1 = chat.parse(obs, o1);
  ASSERT_TRUE(f1.ok()) << o1;
  std::string observations(f1.fields().at("observations").as_string());
  EXPECT_THAT(observations, HasSubstr("- ticket -> category \"billing\": refund lamp\n"
                                      "- ticket -> category \"billing\": refund late\n"
                                      "- ticket -> category \"shipping\": lamp package late\n"));
  dspy::Signature more = signature("examples, prior_observations -> observations", "Given several");
  std::string o2 = complete(
      *p,
      request(chat.format(more, {}, {{"examples", batch2}, {"prior_observations", observations}}),
              chat, more));
  observations += std::string(chat.parse(more, o2).fields().at("observations").as_string());

  dspy::Signature sum = signature("observations -> summary", "Given a series of observations");
  std::string s =
      complete(*p, request(chat.format(sum, {}, {{"observations", observations}}), chat, sum));
  auto fs = chat.parse(sum, s);
  ASSERT_TRUE(fs.ok()) << s;
  std::string summary(fs.fields().at("summary").as_string());
  // Over both batches: refund is in the 3 billing examples, package in the 2 shipping ones; lamp
  // and late are in both labels (purity 0.5), so no rule names them.
  EXPECT_THAT(summary, HasSubstr("If the ticket mentions \"refund\", answer billing."));
  EXPECT_THAT(summary, HasSubstr("If the ticket mentions \"package\", answer shipping."));
  EXPECT_THAT(summary, Not(HasSubstr("\"lamp\"")));
  EXPECT_LT(summary.find("refund"), summary.find("package")) << "the stronger cue first";
}

TEST_F(MockSimulationTest, AMiproProposalMergesTheRulesItWasShown) {
  auto p = make({});
  ASSERT_TRUE(p);
  dspy::ChatAdapter chat;
  dspy::Signature prop = signature(
      "dataset_description, module, task_demos, basic_instruction, tip -> proposed_instruction",
      "Use the information below to learn about a task");
  json::object in{
      {"dataset_description",
       "The examples pair a ticket with a category, and in them these rules hold:\n"
       "If the ticket mentions \"refund\", answer billing.\n"
       "If the ticket mentions \"package\", answer shipping."},
      {"module", "Predict(ticket) -> category"},
      {"task_demos",
       "Ticket: the app crashes daily\nCategory: technical\n\nTicket: it crashes at login\n"
       "Category: technical\n\n"},
      {"basic_instruction",
       "Classify the support ticket.\nIf the ticket mentions \"invoice\", answer billing."},
      {"tip", "Keep the instruction clear and concise."}};
  std::string r = complete(*p, request(chat.format(prop, {}, in), chat, prop));
  auto f = chat.parse(prop, r);
  ASSERT_TRUE(f.ok()) << r;
  EXPECT_EQ(std::string(f.fields().at("proposed_instruction").as_string()),
            "Classify the support ticket.\n"
            "If the ticket mentions \"invoice\" or \"refund\", answer billing.\n"
            "If the ticket mentions \"package\", answer shipping.\n"
            "If the ticket mentions \"crashes\", answer technical.");
  // And the proposal it wrote is followed as a task instruction.
  EXPECT_EQ(
      label(*p, std::string(f.fields().at("proposed_instruction").as_string()), {}, "it crashes"),
      "technical");
}

// The triage example's rows, `{"input": {"ticket"}, "output": {"category"}}` per line.
std::vector<std::pair<std::string, std::string>> triage_rows(const char* split) {
  std::ifstream f(std::string(PIPELINE_SOURCE_DIR) + "/examples/optimization/" + split + ".jsonl");
  std::vector<std::pair<std::string, std::string>> rows;
  for (std::string line; std::getline(f, line);) {
    json::value v = json::parse(line);
    rows.emplace_back(std::string(v.at("input").at("ticket").as_string()),
                      std::string(v.at("output").at("category").as_string()));
  }
  return rows;
}

TEST_F(MockSimulationTest, OnTheTriageDataTheProposersDerivedRulesBeatDemosAlone) {
  // The example's host config: what `pipeline optimize` with mipro_v2 would talk to.
  auto p = make({{"seed", 7}, {"noise", 0.1}});
  ASSERT_TRUE(p);
  const auto train = triage_rows("train");
  const auto test = triage_rows("test");
  ASSERT_EQ(train.size(), 160u);
  ASSERT_EQ(test.size(), 80u);
  dspy::ChatAdapter chat;
  // MIPRO's dataset summary: 10 batches of 10 training examples, then the summary.
  dspy::Signature first = signature("examples -> observations", "Given several examples");
  dspy::Signature more = signature("examples, prior_observations -> observations", "Given");
  std::string observations;
  for (std::size_t b = 0; b < 100; b += 10) {
    std::string batch = "[";
    for (std::size_t i = b; i < b + 10; ++i)
      batch +=
          (i == b ? "" : ", ") + std::string("Example(") +
          json::serialize(json::object{{"ticket", train[i].first}, {"category", train[i].second}}) +
          ") (input_keys={ticket})";
    batch += "]";
    const dspy::Signature& sig = b == 0 ? first : more;
    dspy::Example in{{"examples", batch}};
    if (b) in["prior_observations"] = observations;
    auto r = chat.parse(sig, complete(*p, request(chat.format(sig, {}, in), chat, sig)));
    ASSERT_TRUE(r.ok());
    observations += std::string(r.fields().at("observations").as_string());
  }
  dspy::Signature sum = signature("observations -> summary", "Given a series of observations");
  auto summary = chat.parse(
      sum,
      complete(*p, request(chat.format(sum, {}, {{"observations", observations}}), chat, sum)));
  ASSERT_TRUE(summary.ok());
  const std::string text(summary.fields().at("summary").as_string());
  std::string rules;
  for (std::size_t at = text.find("If the ticket mentions"); at != std::string::npos;
       at = text.find("If the ticket mentions", at + 1))
    rules += "\n" + text.substr(at, text.find('\n', at) - at);
  EXPECT_THAT(rules, HasSubstr("answer billing."));
  EXPECT_THAT(rules, HasSubstr("answer shipping."));

  std::vector<dspy::Example> demos;  // programs/demos.json: the first three rows per category
  std::map<std::string, int> per_label;
  for (const auto& [ticket, category] : train)
    if (per_label[category]++ < 3) demos.push_back(demo(ticket, category));
  auto accuracy = [&](const std::string& instructions, const std::vector<dspy::Example>& ds) {
    int right = 0;
    for (const auto& [ticket, category] : test)
      right += label(*p, instructions, ds, ticket) == category;
    return static_cast<double>(right) / static_cast<double>(test.size());
  };
  const double as_written = accuracy("Classify the support ticket.", {});
  const double with_demos = accuracy("Classify the support ticket.", demos);
  const double derived = accuracy("Classify the support ticket." + rules, {});
  const double derived_and_demos = accuracy("Classify the support ticket." + rules, demos);
  // Shown in the test's XML report (--gtest_output=xml), for docs/optimization.md's numbers.
  RecordProperty("as_written", std::to_string(as_written));
  RecordProperty("demos", std::to_string(with_demos));
  RecordProperty("derived_rules", std::to_string(derived));
  RecordProperty("derived_rules_and_demos", std::to_string(derived_and_demos));
  EXPECT_LT(as_written, with_demos);
  EXPECT_LT(with_demos, derived) << "an instruction-driven gain, not only a demo-driven one";
  EXPECT_LT(with_demos, derived_and_demos);
}

TEST_F(MockSimulationTest, OnTheTriageDataReflectionsOnFailuresImproveThePlainInstruction) {
  // GEPA's loop in miniature: reflect on each minibatch of 3 training examples with a failure,
  // keep the child when it scores strictly better on that minibatch.
  auto p = make({{"seed", 7}, {"noise", 0.1}});
  ASSERT_TRUE(p);
  const auto train = triage_rows("train");
  const auto dev = triage_rows("dev");
  auto accuracy = [&](const std::string& instructions,
                      const std::vector<std::pair<std::string, std::string>>& rows) {
    int right = 0;
    for (const auto& [ticket, category] : rows)
      right += label(*p, instructions, {}, ticket) == category;
    return static_cast<double>(right) / static_cast<double>(rows.size());
  };
  std::string instruction = "Classify the support ticket.";
  const double as_written = accuracy(instruction, dev);
  int accepted = 0;
  for (std::size_t at = 0; at + 3 <= 75; at += 3) {
    const std::vector<std::pair<std::string, std::string>> batch(train.begin() + at,
                                                                 train.begin() + at + 3);
    std::vector<optimizer::ReflectiveExample> shown;
    int right = 0;
    for (const auto& [ticket, category] : batch) {
      const std::string got = label(*p, instruction, {}, ticket);
      right += got == category;
      shown.push_back({{{"ticket", ticket}},
                       {{"category", got}},
                       got == category ? "" : "expected '" + category + "', got '" + got + "'"});
    }
    if (right == 3) continue;
    json::object req{
        {"messages",
         json::array{json::object{{"role", "user"},
                                  {"content", optimizer::reflection_prompt(instruction, shown)}}}}};
    const std::string child = optimizer::extract_instruction(complete(*p, req));
    if (child == instruction) continue;
    if (accuracy(child, batch) * 3 > right) {
      instruction = child;
      ++accepted;
    }
  }
  RecordProperty("accepted", accepted);
  RecordProperty("dev_as_written", std::to_string(as_written));
  RecordProperty("dev_after_reflections", std::to_string(accuracy(instruction, dev)));
  EXPECT_GT(accepted, 3);
  EXPECT_GT(accuracy(instruction, dev), as_written + 0.15)
      << "rules learnt from failures alone, without demos:\n"
      << instruction;
}

TEST_F(MockSimulationTest, AMiproProposalWithNothingToLearnRepeatsTheInstruction) {
  auto p = make({});
  ASSERT_TRUE(p);
  dspy::ChatAdapter chat;
  dspy::Signature prop =
      signature("task_demos, basic_instruction -> proposed_instruction", "Use the information");
  std::string r =
      complete(*p, request(chat.format(prop, {},
                                       {{"task_demos", "No task demos provided."},
                                        {"basic_instruction", "Classify the support ticket."}}),
                           chat, prop));
  EXPECT_EQ(std::string(chat.parse(prop, r).fields().at("proposed_instruction").as_string()),
            "Classify the support ticket.");
}

TEST_F(MockSimulationTest, AGepaReflectionAddsTheFailingExamplesCueWordsAndDropsMisleadingOnes) {
  auto p = make({{"reflection_words", 2}});
  ASSERT_TRUE(p);
  using optimizer::ReflectiveExample;
  std::vector<ReflectiveExample> shown{
      {{{"ticket", "The courier lost my headphones order"}},
       {{"category", "billing"}},
       "expected 'shipping', got 'billing'"},
      {{{"ticket", "My headphones order was charged twice"}}, {{"category", "billing"}}, ""},
      {{{"ticket", "The screen stays blank"}},
       {{"category", "billing"}},
       "expected 'technical', got 'billing'"}};
  const std::string current =
      "Classify the support ticket.\nIf the ticket mentions \"order\" or \"charged\", answer "
      "billing.";
  json::object req{{"messages", json::array{json::object{
                                    {"role", "user"},
                                    {"content", optimizer::reflection_prompt(current, shown)}}}}};
  std::string reply = complete(*p, req);
  // The first failing example's new cue words are "courier" and "lost" ("headphones" and "order"
  // are in the billing example); the second's "screen" and "stays" (longest first; "stays" and
  // "blank" tie on length, the earlier wins). "order", the billing phrase that answered the first
  // example wrongly, is dropped.
  EXPECT_EQ(optimizer::extract_instruction(reply),
            "Classify the support ticket.\n"
            "If the ticket mentions \"charged\", answer billing.\n"
            "If the ticket mentions \"courier\" or \"lost\", answer shipping.\n"
            "If the ticket mentions \"screen\" or \"stays\", answer technical.");
  // Only right answers: nothing to learn, the instruction comes back as it was.
  std::vector<ReflectiveExample> right{shown[1]};
  req["messages"].as_array()[0].as_object()["content"] =
      optimizer::reflection_prompt(current, right);
  EXPECT_EQ(optimizer::extract_instruction(complete(*p, req)), current);
}

TEST_F(MockSimulationTest, PromptsThatAreNotDspyOnesGetTheUsualMockReplies) {
  auto p = make(
      {}, {{"replies", json::array{json::object{{"match", "scripted"}, {"reply", "pinned"}}}}});
  ASSERT_TRUE(p);
  json::object plain{
      {"messages", json::array{json::object{{"role", "user"}, {"content", "hello"}}}}};
  EXPECT_EQ(complete(*p, plain), "Mock response to: hello");
  // A scripted reply wins over the simulation.
  dspy::ChatAdapter chat;
  dspy::Signature sig = signature(kLabels, kRules);
  EXPECT_EQ(complete(*p, request(chat.format(sig, {}, {{"ticket", "scripted refund"}}), chat, sig)),
            "pinned");
}

TEST_F(MockSimulationTest, ASimulatedInstanceReportsASimulatedModel) {
  auto p = make({});
  ASSERT_TRUE(p);
  CallContext ctx(CancellationToken{}, std::nullopt,
                  [](std::string_view, std::string_view) { return true; });
  json::object plain{{"messages", json::array{json::object{{"role", "user"}, {"content", "hi"}}}}};
  CallResult r = p->complete(json::serialize(plain), ctx);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(json::parse(r.body).at("model"), "mock-simulated-1");
}

TEST_F(MockSimulationTest, ABadSimulateSettingIsAnErrorNamingTheKey) {
  for (const auto& [cfg, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"simulate": {"noise": 2}})", "simulate.noise"},
           {R"({"simulate": {"nosie": 0.1}})", "simulate.nosie"},
           {R"({"simulate": {"min_overlap": 0}})", "simulate.min_overlap"},
           {R"({"simulate": {"seed": -1}})", "simulate.seed"},
           {R"({"simulate": {"fallback": 3}})", "simulate.fallback"},
           {R"({"simulate": "yes"})", "simulate"}}) {
    auto p = host().create_provider("mock", cfg);
    ASSERT_FALSE(p.ok()) << cfg;
    EXPECT_THAT(p.status().message(), HasSubstr(key)) << cfg;
  }
  EXPECT_TRUE(
      host().create_provider("mock", R"({"simulate": {"seed": 18446744073709551615}})").ok())
      << "any 64-bit seed";
}

}  // namespace
}  // namespace pipeline
