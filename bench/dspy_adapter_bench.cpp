// The DSPy adapters' cost per call: render the messages for a 5-field signature with 4 demos,
// then parse a reply back into typed values (issue 9 target: under 20 us for render + parse).
//
//   build/bench/dspy_adapter_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_adapter.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace pipeline;
using namespace pipeline::dspy;

Signature five_fields() {
  auto sig = parse_signature_string(
      "question: str, context: list[str] -> answer: str, confidence: float, tags: list[str]",
      "Answer the question from the context; be brief.");
  return *sig;
}

std::vector<Example> four_demos() {
  std::vector<Example> demos;
  for (int i = 0; i < 4; ++i) {
    demos.push_back(json::object{
        {"question", "What is item " + std::to_string(i) + "?"},
        {"context",
         json::array{"Item " + std::to_string(i) + " is a widget.", "Widgets are small."}},
        {"answer", "A widget"},
        {"confidence", 0.5 + 0.1 * i},
        {"tags", json::array{"widget", "item"}}});
  }
  return demos;
}

void render_and_parse(benchmark::State& state, const Adapter& adapter, const std::string& reply) {
  Signature sig = five_fields();
  auto demos = four_demos();
  Example inputs{{"question", "What is a gadget?"},
                 {"context", json::array{"A gadget is a tool.", "Gadgets help."}}};
  for (auto _ : state) {
    auto messages = adapter.format(sig, demos, inputs);
    benchmark::DoNotOptimize(messages);
    auto parsed = adapter.parse(sig, reply);
    if (!parsed) state.SkipWithError("the reply did not parse");
    benchmark::DoNotOptimize(parsed);
  }
}

void BM_ChatAdapterRenderParse(benchmark::State& state) {
  render_and_parse(state, ChatAdapter(),
                   "[[ ## answer ## ]]\nA tool\n\n[[ ## confidence ## ]]\n0.8\n\n[[ ## tags ## ]]\n"
                   "[\"tool\", \"gadget\"]\n\n[[ ## completed ## ]]\n");
}
BENCHMARK(BM_ChatAdapterRenderParse);

void BM_JSONAdapterRenderParse(benchmark::State& state) {
  render_and_parse(
      state, JSONAdapter(),
      "{\"answer\": \"A tool\", \"confidence\": 0.8, \"tags\": [\"tool\", \"gadget\"]}");
}
BENCHMARK(BM_JSONAdapterRenderParse);

}  // namespace

BENCHMARK_MAIN();
