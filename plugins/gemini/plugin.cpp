// Entry points of libpipeline_gemini.so: registers the "gemini" provider.
#include <pipeline/plugin.hpp>

#include "gemini_provider.hpp"

PIPELINE_PLUGIN("gemini", "1.0.0", "Google Gemini API provider (libcurl, SSE streaming)") {
  r.add_provider<pipeline::plugins::GeminiProvider>(
      "gemini", "1.0.0", PL_FLAG_CONCURRENT,
      "Gemini through generateContent / streamGenerateContent, with retries and timeouts");
}
