// Entry points of libpipeline_anthropic.so: registers the "anthropic" provider.
#include <pipeline/plugin.hpp>

#include "anthropic_provider.hpp"

PIPELINE_PLUGIN("anthropic", "1.0.0", "Anthropic Messages API provider (libcurl, SSE streaming)") {
  r.add_provider<pipeline::plugins::AnthropicProvider>(
      "anthropic", "1.0.0", PL_FLAG_CONCURRENT,
      "Claude through the Anthropic Messages API, with retries, timeouts and streaming");
}
