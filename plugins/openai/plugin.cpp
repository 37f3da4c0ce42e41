// Entry points of libpipeline_openai.so: registers the "openai" provider.
#include <pipeline/plugin.hpp>

#include "openai_provider.hpp"

PIPELINE_PLUGIN("openai", "1.0.0",
                "OpenAI Chat Completions provider for OpenAI and compatible servers") {
  r.add_provider<pipeline::plugins::OpenAiProvider>(
      "openai", "1.0.0", PL_FLAG_CONCURRENT,
      "OpenAI-compatible Chat Completions (OpenAI, vLLM, llama.cpp, Ollama)");
}
