# The data files that come with the program, copied at build time to
# <build>/share/t2sql beside build/t2sql and installed to <prefix>/share/t2sql
# beside <prefix>/bin/t2sql; src/base/data_dir.h finds them at run time
# (relative to the running program, or $T2SQL_DATA_DIR), so that no path of
# the source tree is compiled in. Today: llama.cpp's tokenizer vocabularies
# (vocab/ggml-vocab-<name>.gguf), which `t2sql model init --vocab` builds on.
file(GLOB T2SQL_VOCAB_SOURCES CONFIGURE_DEPENDS "${T2SQL_LLAMA_DIR}/models/ggml-vocab-*.gguf")
set(T2SQL_DATA_OUT "${CMAKE_BINARY_DIR}/share/t2sql")
set(T2SQL_DATA_FILES "")
foreach(src ${T2SQL_VOCAB_SOURCES})
  get_filename_component(name ${src} NAME)
  set(out "${T2SQL_DATA_OUT}/vocab/${name}")
  add_custom_command(OUTPUT ${out} COMMAND ${CMAKE_COMMAND} -E copy ${src} ${out} DEPENDS ${src} VERBATIM)
  list(APPEND T2SQL_DATA_FILES ${out})
endforeach()
add_custom_target(t2sql_data ALL DEPENDS ${T2SQL_DATA_FILES} COMMENT "share/t2sql: the program's data files")
add_dependencies(t2sql t2sql_data)

# `cmake --install <build> --prefix P`: P/bin/t2sql, P/lib/libduckdb.so (the program's rpath is
# $ORIGIN/../lib once installed) and P/share/t2sql; nothing of llama.cpp (its folder is
# EXCLUDE_FROM_ALL). The layout is fixed: the program looks for its data at <its folder>/../share/t2sql.
install(TARGETS t2sql RUNTIME DESTINATION bin COMPONENT t2sql)
install(FILES "${T2SQL_DUCKDB_LIB}" DESTINATION lib COMPONENT t2sql)
install(FILES ${T2SQL_DATA_FILES} DESTINATION share/t2sql/vocab COMPONENT t2sql)
set_target_properties(t2sql PROPERTIES INSTALL_RPATH "\$ORIGIN/../lib")
