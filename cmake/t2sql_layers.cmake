# One static library per folder of src/ (t2sql_<folder>), linking only the
# folders below it (tests/layers/layers.txt has the arrows; the `layers` test
# and the t2sql_layers_check build step hold the code to them). Sources are
# globbed, so a new file in a folder lands in that folder's target.
#
# generate/ gives two targets: t2sql_generate (the files named on the
# `generate-files` line of tests/layers/layers.txt: LLM engine, ensemble,
# factory) and t2sql_template (the rest: the template engine), so that the
# template engine and everything under it build without llama.cpp.
file(STRINGS "${CMAKE_SOURCE_DIR}/tests/layers/layers.txt" T2SQL_GENERATE_FILES_LINE REGEX "^generate-files:")
string(REGEX REPLACE "^generate-files:[ ]*" "" T2SQL_GENERATE_FILES "${T2SQL_GENERATE_FILES_LINE}")
separate_arguments(T2SQL_GENERATE_FILES)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/layers/layers.txt")

# The files the layer check reads (its build step reruns when one changes).
file(GLOB_RECURSE T2SQL_LAYER_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/*.cc ${CMAKE_SOURCE_DIR}/src/*.h
     ${CMAKE_SOURCE_DIR}/tools/*.cc ${CMAKE_SOURCE_DIR}/tools/*.h
     ${CMAKE_SOURCE_DIR}/include/t2sql/*.h)
set(T2SQL_TIDY_SOURCES ${T2SQL_LAYER_FILES})
list(FILTER T2SQL_TIDY_SOURCES INCLUDE REGEX "^${CMAKE_SOURCE_DIR}/src/.*\\.cc$")
list(FILTER T2SQL_TIDY_SOURCES EXCLUDE REGEX "_test\\.cc$")
# Every include against the layers' arrows fails the build (tests/layers/).
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/layers_check.stamp
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/layers/check_layers.sh --cmake ${CMAKE_BINARY_DIR}/layers_cmake.txt ${CMAKE_SOURCE_DIR}
  COMMAND ${CMAKE_COMMAND} -E touch ${CMAKE_BINARY_DIR}/layers_check.stamp
  DEPENDS ${CMAKE_SOURCE_DIR}/tests/layers/layers.txt ${CMAKE_SOURCE_DIR}/tests/layers/check_layers.sh ${T2SQL_LAYER_FILES}
  COMMENT "Checking the layers of src/ (tests/layers/layers.txt)" VERBATIM)
add_custom_target(t2sql_layers_check ALL DEPENDS ${CMAKE_BINARY_DIR}/layers_check.stamp)

set(T2SQL_LAYER_TARGETS "")

# t2sql_layer(<name> SOURCES <files> DEPS <layers below> LIBS <third-party, private>)
function(t2sql_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  add_library(t2sql_${name} STATIC ${L_SOURCES})
  target_include_directories(t2sql_${name} PUBLIC ${CMAKE_SOURCE_DIR}/include PRIVATE ${CMAKE_SOURCE_DIR}/src)
  set(deps "")
  foreach(dep ${L_DEPS})
    list(APPEND deps t2sql_${dep})
  endforeach()
  target_link_libraries(t2sql_${name} PUBLIC ${deps} Threads::Threads PRIVATE nlohmann_json::nlohmann_json ${L_LIBS})
  t2sql_warnings(t2sql_${name})
  set_property(TARGET t2sql_${name} PROPERTY T2SQL_LAYER_DEPS "${deps}")
  add_dependencies(t2sql_${name} t2sql_layers_check)
  set(T2SQL_LAYER_TARGETS ${T2SQL_LAYER_TARGETS} t2sql_${name} PARENT_SCOPE)
endfunction()

# The library sources of one folder of src/ (recursive, tests left out).
function(t2sql_folder_sources out folder)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${folder}/*.cc)
  list(FILTER sources EXCLUDE REGEX "_test\\.cc$")
  set(${out} ${sources} PARENT_SCOPE)
endfunction()

t2sql_folder_sources(generate_all generate)
set(T2SQL_GENERATE_SOURCES "")
set(T2SQL_TEMPLATE_SOURCES "")
foreach(src ${generate_all})
  file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR}/src/generate ${src})
  get_filename_component(stem ${rel} NAME_WE)
  set(is_llm FALSE)
  if(NOT rel MATCHES "/")
    foreach(name ${T2SQL_GENERATE_FILES})
      if(stem STREQUAL name OR stem MATCHES "^${name}_")
        set(is_llm TRUE)
      endif()
    endforeach()
  endif()
  if(is_llm)
    list(APPEND T2SQL_GENERATE_SOURCES ${src})
  else()
    list(APPEND T2SQL_TEMPLATE_SOURCES ${src})
  endif()
endforeach()

foreach(folder base sql schema db format chart retrieval llm pipeline eval mcp server train)
  t2sql_folder_sources(T2SQL_${folder}_SOURCES ${folder})
endforeach()

t2sql_layer(base SOURCES ${T2SQL_base_SOURCES})
t2sql_layer(sql SOURCES ${T2SQL_sql_SOURCES} DEPS base LIBS SQLite::SQLite3)
t2sql_layer(schema SOURCES ${T2SQL_schema_SOURCES} DEPS sql)
t2sql_layer(db SOURCES ${T2SQL_db_SOURCES} DEPS schema
            LIBS SQLite::SQLite3 t2sql_duckdb PkgConfig::LIBPQ PkgConfig::HTTPLIB)
t2sql_layer(format SOURCES ${T2SQL_format_SOURCES} DEPS schema)
t2sql_layer(chart SOURCES ${T2SQL_chart_SOURCES} DEPS format)
# The template engine's confidence calibration, refitted by `t2sql eval
# --fit-calibration data/template_calibration.json`, is compiled in.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/data/template_calibration.json")
file(READ "${CMAKE_SOURCE_DIR}/data/template_calibration.json" T2SQL_TEMPLATE_CALIBRATION_JSON)
configure_file(cmake/template_calibration_data.cc.in "${CMAKE_BINARY_DIR}/generated/template_calibration_data.cc" @ONLY)
t2sql_layer(template SOURCES ${T2SQL_TEMPLATE_SOURCES} "${CMAKE_BINARY_DIR}/generated/template_calibration_data.cc"
            DEPS db LIBS SQLite::SQLite3)
t2sql_layer(retrieval SOURCES ${T2SQL_retrieval_SOURCES} DEPS db format llm
            LIBS llama faiss OpenMP::OpenMP_CXX ${LAPACK_LIBRARIES} ${BLAS_LIBRARIES})
t2sql_layer(llm SOURCES ${T2SQL_llm_SOURCES} DEPS db format LIBS llama PkgConfig::HTTPLIB OpenSSL::Crypto)
target_compile_definitions(t2sql_llm PRIVATE T2SQL_VERSION="${PROJECT_VERSION}" T2SQL_LLAMA_COMMIT="${T2SQL_LLAMA_COMMIT}")
t2sql_layer(generate SOURCES ${T2SQL_GENERATE_SOURCES} DEPS template llm)
t2sql_layer(pipeline SOURCES ${T2SQL_pipeline_SOURCES} DEPS generate retrieval chart)
# llama-grammar.h: the grammar coverage reads statements with llama.cpp's grammar engine character by character.
# The demo suite is compiled in (default_demo_suite_path()).
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/data/suites/demo.jsonl")
file(READ "${CMAKE_SOURCE_DIR}/data/suites/demo.jsonl" T2SQL_DEMO_SUITE_JSONL)
configure_file(cmake/demo_suite_data.cc.in "${CMAKE_BINARY_DIR}/generated/demo_suite_data.cc" @ONLY)
t2sql_layer(eval SOURCES ${T2SQL_eval_SOURCES} "${CMAKE_BINARY_DIR}/generated/demo_suite_data.cc" DEPS pipeline
            LIBS llama SQLite::SQLite3)
target_include_directories(t2sql_eval SYSTEM PRIVATE "${T2SQL_LLAMA_DIR}/src")
t2sql_layer(mcp SOURCES ${T2SQL_mcp_SOURCES} DEPS pipeline LIBS SQLite::SQLite3)
t2sql_layer(server SOURCES ${T2SQL_server_SOURCES} DEPS mcp LIBS PkgConfig::HTTPLIB SQLite::SQLite3)
# The web page and the chart libraries, embedded (src/server/web_assets.h).
include(cmake/web_assets.cmake)
t2sql_embed_web_assets(t2sql_server
  "/|${CMAKE_SOURCE_DIR}/web/index.html"
  "/app.js|${CMAKE_SOURCE_DIR}/web/app.js"
  "/style.css|${CMAKE_SOURCE_DIR}/web/style.css"
  "/vendor/vega.min.js|${T2SQL_CACHE_DIR}/npm/vega-5.33.1/package/build/vega.min.js"
  "/vendor/vega-lite.min.js|${T2SQL_CACHE_DIR}/npm/vega-lite-5.23.0/package/build/vega-lite.min.js"
  "/vendor/vega-embed.min.js|${T2SQL_CACHE_DIR}/npm/vega-embed-6.29.0/package/build/vega-embed.min.js")
t2sql_layer(train SOURCES ${T2SQL_train_SOURCES} DEPS llm LIBS llama)

# Evaluation support that is not the library (tools/eval): loaders that run
# external programs (psql), the retrieval evaluation and its stress catalog.
file(GLOB T2SQL_EVAL_TOOLS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/eval/*.cc)
list(FILTER T2SQL_EVAL_TOOLS_SOURCES EXCLUDE REGEX "_test\\.cc$")
add_library(t2sql_eval_tools STATIC ${T2SQL_EVAL_TOOLS_SOURCES})
target_include_directories(t2sql_eval_tools PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(t2sql_eval_tools PRIVATE T2SQL_PG_BIN_DIR="/usr/lib/postgresql/15/bin")
target_link_libraries(t2sql_eval_tools PUBLIC t2sql_retrieval t2sql_eval PRIVATE nlohmann_json::nlohmann_json PkgConfig::LIBPQ)
t2sql_warnings(t2sql_eval_tools)

# Test support (src/testing: database fixtures' environments, SQL case files,
# tiny models, row comparison), linked by tests only.
# Header-only: each test program links the layers it tests.
add_library(t2sql_testing INTERFACE)
target_include_directories(t2sql_testing INTERFACE ${CMAKE_SOURCE_DIR}/src)

# Everything, for the programs and the tests that use the whole library.
add_library(t2sql_lib INTERFACE)
target_link_libraries(t2sql_lib INTERFACE ${T2SQL_LAYER_TARGETS})

# The layers as CMake declares them, for the `layers` test.
set(T2SQL_LAYER_GRAPH "")
foreach(t ${T2SQL_LAYER_TARGETS})
  get_property(deps TARGET ${t} PROPERTY T2SQL_LAYER_DEPS)
  string(REPLACE ";" " " deps "${deps}")
  string(APPEND T2SQL_LAYER_GRAPH "${t}: ${deps}\n")
endforeach()
string(APPEND T2SQL_LAYER_GRAPH "t2sql_testing: (header-only)\n")
file(WRITE "${CMAKE_BINARY_DIR}/layers_cmake.txt" "${T2SQL_LAYER_GRAPH}")

