# Provider throughput benchmark (anthropic, gemini, openai plugins vs bare libcurl); see
# docs/performance.md, "Provider plugins over libcurl".
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/provider_throughput)
