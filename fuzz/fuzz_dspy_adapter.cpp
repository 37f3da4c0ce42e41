// libFuzzer target: the DSPy adapters' reply parsers (ChatAdapter's `[[ ## field ## ]]` sections,
// JSONAdapter's JSON object, with the typed-value parsing and schema checks behind both) and the
// signature string form. The first byte picks one of a few signatures covering every field type;
// the rest is the reply. When the reply's first line parses as a signature, it is used as well, so
// the signature parser is fuzzed on the same input.
#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/chat_adapter.hpp>
#include <pipeline/dspy/json_adapter.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using pipeline::dspy::Signature;

std::vector<Signature> make_signatures() {
  std::vector<Signature> out;
  for (const char* text :
       {"question -> answer", "question, context -> answer: str, confidence: float",
        "q -> n: int, ok: bool, tags: list[str], meta: dict[str, int]",
        "text -> label: Literal['yes', 'no', 'maybe'], scores: list[float], any_value",
        "a: int, b: list[int] -> total: int, parts: dict, nested: list[dict[str, list[int]]]"}) {
    out.push_back(*pipeline::dspy::parse_signature_string(text));
  }
  out.push_back(pipeline::dspy::with_reasoning(out[1]));
  Signature with_schema =
      *pipeline::dspy::parse_signature_string("q -> items: list[str], obj: dict");
  with_schema.outputs[0].schema =
      pipeline::parse_json(R"({"type": "array", "maxItems": 3, "items": {"minLength": 1}})")
          .value();
  with_schema.outputs[1].schema =
      pipeline::parse_json(
          R"({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}})")
          .value();
  out.push_back(std::move(with_schema));
  return out;
}

void parse_with(const Signature& sig, std::string_view reply) {
  static const pipeline::dspy::ChatAdapter chat;
  static const pipeline::dspy::JSONAdapter json;
  for (const pipeline::dspy::Adapter* adapter :
       {static_cast<const pipeline::dspy::Adapter*>(&chat),
        static_cast<const pipeline::dspy::Adapter*>(&json)}) {
    auto r = adapter->parse(sig, reply);
    if (r) {
      // A parsed result goes back into the prompt as a demo: render it too.
      (void)adapter->format_assistant_message_content(sig, r.fields(), "missing");
    } else {
      (void)r.error().message();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<Signature> signatures = make_signatures();
  if (size == 0) return 0;
  const std::string_view reply(reinterpret_cast<const char*>(data) + 1, size - 1);
  parse_with(signatures[data[0] % signatures.size()], reply);
  const std::string_view first_line = reply.substr(0, reply.find('\n'));
  if (auto sig = pipeline::dspy::parse_signature_string(first_line)) {
    (void)sig->hash();
    parse_with(*sig, reply);
  }
  return 0;
}
