# compat.install: `cmake --install` into a fresh prefix, then build a C
# program the way the issue says users will —
#   cc prog.c $(pkg-config --cflags --libs vouch-ssl) -lcrypto
# — run it, and check it does not load libssl. Also links the static
# library. Variables: BUILD_DIR, WORK_DIR, CC, CFLAGS (the sanitizer flags
# of the build, ;-list), PROBE.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

file(GLOB_RECURSE pc_files ${prefix}/*/vouch-ssl.pc)
list(LENGTH pc_files n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one vouch-ssl.pc under ${prefix}, found: ${pc_files}")
endif()
get_filename_component(pc_dir ${pc_files} DIRECTORY)
foreach(f include/vouch-ssl/openssl/ssl.h include/vouch-ssl/openssl/tls1.h)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

set(ENV{PKG_CONFIG_PATH} ${pc_dir})
run(pkg-config --cflags --libs vouch-ssl)
string(STRIP "${out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
message(STATUS "pkg-config --cflags --libs vouch-ssl: ${flags}")
get_filename_component(libdir ${pc_dir} DIRECTORY)

# Shared: the program as a user builds it (plus an rpath to find the library).
run(${CC} ${CFLAGS} ${PROBE} ${flags} -lcrypto -Wl,-rpath,${libdir} -o ${WORK_DIR}/probe)
run(${WORK_DIR}/probe)
if(NOT out MATCHES "library: SSL routines\nreason: no protocols available\nprobe ok\n")
  message(FATAL_ERROR "probe (shared) said:\n${out}")
endif()
run(ldd ${WORK_DIR}/probe)
if(out MATCHES "libssl\\.so")
  message(FATAL_ERROR "the probe loads libssl:\n${out}")
endif()
if(NOT out MATCHES "libvouch_ssl\\.so")
  message(FATAL_ERROR "the probe does not load libvouch_ssl:\n${out}")
endif()

# Static: the archive carries vouch; the program needs libcrypto and the C++ runtime.
run(pkg-config --cflags vouch-ssl)
string(STRIP "${out}" cflags)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
run(${CC} ${CFLAGS} ${PROBE} ${cflags} ${libdir}/libvouch_ssl.a -lcrypto -lstdc++ -lpthread -lm
    -o ${WORK_DIR}/probe_static)
run(${WORK_DIR}/probe_static)
if(NOT out MATCHES "probe ok")
  message(FATAL_ERROR "probe (static) said:\n${out}")
endif()
run(ldd ${WORK_DIR}/probe_static)
if(out MATCHES "libssl\\.so|libvouch_ssl")
  message(FATAL_ERROR "the static probe loads a shared TLS library:\n${out}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "vouch-ssl installs and links as documented")
