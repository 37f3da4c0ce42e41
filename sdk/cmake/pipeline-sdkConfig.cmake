# find_package(pipeline-sdk) gives pipeline::sdk, the header-only plugin SDK.
include("${CMAKE_CURRENT_LIST_DIR}/pipelineSdkTargets.cmake")
