# Writes OUTPUT, a C++ source defining `const char* const VARIABLE` in namespace
# w2v::server holding INPUT's bytes. Run with cmake -P at build time.
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${content}")
# Split the literal every 400 characters so no line is huge.
string(LENGTH "${escaped}" n)
set(body "")
set(i 0)
while(i LESS n)
  string(SUBSTRING "${escaped}" ${i} 400 piece)
  string(APPEND body "    \"${piece}\"\n")
  math(EXPR i "${i} + 400")
endwhile()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT}; do not edit.\nnamespace w2v::server {\nextern const char* const ${VARIABLE};\nconst char* const ${VARIABLE} =\n${body}    \"\";\n}  // namespace w2v::server\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
