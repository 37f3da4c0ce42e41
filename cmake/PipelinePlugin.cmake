# pipeline_add_plugin(<target> SOURCES ... [LIBS ...])
# Builds one shipped plugin with the SDK's own helper (sdk/cmake/PipelineSdkPlugin.cmake), so the
# shipped plugins are built exactly as a third party's are, into the build's plugin folder, and
# installs it executable like any shared library.
include(${PROJECT_SOURCE_DIR}/sdk/cmake/PipelineSdkPlugin.cmake)

function(pipeline_add_plugin target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  pipeline_sdk_add_plugin(${target} CXX SOURCES ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE pipeline_warnings ${ARG_LIBS})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${target}"
    LIBRARY_OUTPUT_DIRECTORY "${PIPELINE_PLUGIN_BUILD_DIR}")
  set_property(GLOBAL APPEND PROPERTY PIPELINE_PLUGIN_TARGETS ${target})  # for the manifest
  install(TARGETS ${target} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/pipeline/plugins"
          PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                      WORLD_READ WORLD_EXECUTE)
endfunction()
