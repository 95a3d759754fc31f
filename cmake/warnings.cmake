# Project-wide warning flags, applied per target with yollayah_warnings(target).
function(yollayah_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 reports Asio's coroutine-frame operator delete as mismatched (a false positive that
    # -O1 -fsanitize builds trigger in code that co_spawns lambdas).
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
    # g++ 12 under -O1 -fsanitize also reports std::optional<std::string> assignments as "may be
    # used uninitialized" (GCC bug 105562); the dev build keeps the warning and its -Werror.
    if(CMAKE_CXX_FLAGS MATCHES "-fsanitize")
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  endif()
  if(YOLLAYAH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# A library target for one layer: every .cpp in the folder, globbed so new files need no CMake edit.
function(yollayah_layer name dir)
  file(GLOB _srcs CONFIGURE_DEPENDS ${dir}/*.cpp)
  add_library(${name} STATIC ${_srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  yollayah_warnings(${name})
endfunction()
