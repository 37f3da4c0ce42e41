# pipeline_sdk_add_plugin(<target> [C|CXX] SOURCES <file>...)
#
# Builds a pipeline plugin the way the host expects: a MODULE library named
# libpipeline_<target>.so, hidden visibility, and a linker version script that exports nothing but
# the entry points (pipeline_plugin_query_v1 / _init_v1 / _shutdown_v1), so the libraries a plugin
# links statically (Boost, libstdc++ templates) never leak into the host's symbol space.
# C or CXX (default CXX) is the language the plugin is linked as: a C plugin needs no libstdc++.
# Link your own dependencies afterwards with target_link_libraries(<target> PRIVATE ...).
set(PIPELINE_SDK_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/pipeline-plugin.map"
    CACHE INTERNAL "The linker version script every pipeline plugin is linked with")

function(pipeline_sdk_add_plugin target)
  set(language CXX)
  set(args ${ARGN})
  if(args)
    list(GET args 0 first)
    if(first STREQUAL "C" OR first STREQUAL "CXX")
      set(language ${first})
      list(REMOVE_AT args 0)
    endif()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES" ${args})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "pipeline_sdk_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE pipeline::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX "libpipeline_"
    LINKER_LANGUAGE ${language}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${PIPELINE_SDK_VERSION_SCRIPT}"
    "-Wl,--no-undefined")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${PIPELINE_SDK_VERSION_SCRIPT}")
endfunction()
