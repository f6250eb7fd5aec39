# Compiles the dashboard (server/ui/*.html, *.css, *.js) and Chart.js (Debian's libjs-chart.js,
# read from /usr/share/javascript at build time) into w2v_server: write_ui_table.cmake makes
# ui_files.cc, which includes each file's bytes with the assembler's .incbin (instant whatever
# the size, where embed_file.cmake's hex conversion takes minutes on Chart.js's 200 KB) and
# lists them for GET /ui/{file}. Sets ui_sources.
file(GLOB ui_files CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/*.html ${CMAKE_CURRENT_LIST_DIR}/*.css ${CMAKE_CURRENT_LIST_DIR}/*.js)
find_file(W2V_CHART_JS chart.min.js PATHS /usr/share/javascript/chart.js NO_DEFAULT_PATH)
if(NOT W2V_CHART_JS)
  message(FATAL_ERROR "Chart.js not found in /usr/share/javascript/chart.js: the dashboard "
                      "embeds it. Install Debian's libjs-chart.js (scripts/bootstrap does).")
endif()
list(APPEND ui_files ${W2V_CHART_JS})

set(ui_table ${CMAKE_CURRENT_BINARY_DIR}/ui/ui_files.cc)
add_custom_command(
  OUTPUT ${ui_table}
  COMMAND ${CMAKE_COMMAND} "-DFILES=${ui_files}" -DOUTPUT=${ui_table}
          -P ${CMAKE_CURRENT_LIST_DIR}/write_ui_table.cmake
  DEPENDS ${ui_files} ${CMAKE_CURRENT_LIST_DIR}/write_ui_table.cmake
  COMMENT "Embedding the dashboard (server/ui, Chart.js)"
  VERBATIM)
set(ui_sources ${ui_table})
