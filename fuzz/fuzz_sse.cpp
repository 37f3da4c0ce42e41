// libFuzzer target: a streamed reply's bytes through the SSE parser and each provider's stream
// decoder (Anthropic, Gemini, OpenAI), cut into chunks wherever the input says. The first byte
// picks the provider and the chunk size; FailureError (a bad event) is the expected refusal.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "anthropic_provider.hpp"
#include "gemini_provider.hpp"
#include "http_common/failure.hpp"
#include "http_common/sse_parser.hpp"
#include "openai_provider.hpp"

namespace {

using pipeline::http::StreamDecoder;

// Opens the protected factory; the providers are built with no host (logging goes nowhere).
template <class P>
struct Probe : P {
  Probe() : P(nullptr, "{}") {}
  std::unique_ptr<StreamDecoder> decoder() const { return this->make_stream_decoder(); }
};

std::unique_ptr<StreamDecoder> decoder_for(unsigned which) {
  static const Probe<pipeline::plugins::AnthropicProvider> anthropic;
  static const Probe<pipeline::plugins::GeminiProvider> gemini;
  static const Probe<pipeline::plugins::OpenAiProvider> openai;
  switch (which % 3) {
    case 0:
      return anthropic.decoder();
    case 1:
      return gemini.decoder();
    default:
      return openai.decoder();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::size_t chunk = 1 + (selector >> 2);  // 1..64 bytes per network read
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::unique_ptr<StreamDecoder> decoder = decoder_for(selector);
  pipeline::http::SseParser parser;
  std::string text, delta;
  try {
    auto on_event = [&](const pipeline::http::SseEvent& ev) {
      delta.clear();
      decoder->on_event(ev, delta);
      text += delta;
    };
    for (std::size_t at = 0; at < body.size(); at += chunk) {
      parser.feed(body.substr(at, chunk), on_event);
    }
    if (decoder->finished()) (void)decoder->result();
  } catch (const pipeline::http::FailureError&) {
    // a malformed stream is refused with a classified failure: the expected outcome
  }
  return 0;
}
