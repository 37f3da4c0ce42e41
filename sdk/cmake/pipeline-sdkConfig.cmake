# find_package(pipeline-sdk 1.0 REQUIRED) gives pipeline::sdk, the header-only plugin SDK, and
# pipeline_sdk_add_plugin(<target> [C|CXX] SOURCES ...), which builds a plugin the right way.
include("${CMAKE_CURRENT_LIST_DIR}/pipelineSdkTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/PipelineSdkPlugin.cmake")
