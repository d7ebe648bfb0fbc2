# Compiler flags shared by every target: mlc_options is linked PRIVATE into each library and binary.
add_library(mlc_options INTERFACE)
target_compile_options(mlc_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(MLC_WERROR)
  target_compile_options(mlc_options INTERFACE -Werror)
endif()
# g++ 12 at -O2 reports -Wrestrict inside libstdc++'s own std::string operator+ (GCC bug 105329,
# fixed in 13): noise in every Release build of code that is correct, so it is off for g++ 12.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(mlc_options INTERFACE -Wno-restrict)
endif()
if(MLC_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
elseif(MLC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# mlc_library(NAME SOURCES... DEPS ...): one library per src/ folder, namespaced mlc::NAME.
function(mlc_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mlc_${name} STATIC ${ARG_SOURCES})
  add_library(mlc::${name} ALIAS mlc_${name})
  target_include_directories(mlc_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(mlc_${name} PUBLIC ${ARG_DEPS} PRIVATE mlc_options ${ARG_PRIVATE_DEPS})
endfunction()

# mlc_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with ctest.
function(mlc_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main mlc_options)
  target_compile_definitions(${name} PRIVATE
    MLC_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MLC_SAMPLES_DIR="${PROJECT_SOURCE_DIR}/tests/data/samples")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
