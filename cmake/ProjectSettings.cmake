# Compiler settings shared by every hyperpipe target, as INTERFACE targets so each
# library opts in explicitly instead of inheriting global flags.
add_library(hp_settings INTERFACE)
target_compile_features(hp_settings INTERFACE cxx_std_20)
# Build-only: programs built against the installed library get neither (cmake/install.cmake).
target_compile_definitions(hp_settings INTERFACE $<BUILD_INTERFACE:HYPERPIPE_VERSION="${PROJECT_VERSION}">)

add_library(hp_warnings INTERFACE)
target_compile_options(hp_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wimplicit-fallthrough)
if(HYPERPIPE_WERROR)
  target_compile_options(hp_warnings INTERFACE -Werror)
endif()

if(HYPERPIPE_SANITIZE)
  target_compile_options(hp_settings INTERFACE
    "$<BUILD_INTERFACE:-fsanitize=address$<COMMA>undefined;-fno-omit-frame-pointer;-fno-sanitize-recover=all>")
  target_link_options(hp_settings INTERFACE "$<BUILD_INTERFACE:-fsanitize=address$<COMMA>undefined>")
endif()

if(HYPERPIPE_FUZZ)
  # Coverage feedback for every library the fuzz targets reach, plus the sanitizers that turn
  # silent memory errors into findings.
  target_compile_options(hp_settings INTERFACE
    "$<BUILD_INTERFACE:-fsanitize=fuzzer-no-link$<COMMA>address$<COMMA>undefined;-fno-omit-frame-pointer>")
  target_link_options(hp_settings INTERFACE "$<BUILD_INTERFACE:-fsanitize=address$<COMMA>undefined>")
endif()
