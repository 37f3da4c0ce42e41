# pipeline_add_plugin(<target> SOURCES ... [LIBS ...])
# Builds one plugin as a MODULE library into the build's plugin folder. Only the entry symbols are
# exported (hidden visibility plus a linker version script), so `nm -D --defined-only` shows just
# pipeline_plugin_query_v1 / _init_v1 / _shutdown_v1.
function(pipeline_add_plugin target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE pipeline::sdk pipeline_warnings ${ARG_LIBS})
  set_target_properties(${target} PROPERTIES
    PREFIX "libpipeline_"
    OUTPUT_NAME "${target}"
    LIBRARY_OUTPUT_DIRECTORY "${PIPELINE_PLUGIN_BUILD_DIR}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/plugin.map"
    "-Wl,--no-undefined")
  install(TARGETS ${target} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/pipeline/plugins")
endfunction()
