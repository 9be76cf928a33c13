# `cmake --install BUILD [--prefix P]`: what a project outside this tree
# needs to use vouch (included by the top-level CMakeLists.txt when
# VOUCH_INSTALL is on).
#
#   include/vouch/*.h              the native C++ API
#   include/vouch-ssl/openssl/*.h  the OpenSSL-compatible C API
#   lib/libvouch.a, libvouch.so*   the native API, static and shared
#   lib/libvouch_ssl.a, .so*       vouch-ssl, static and shared
#   lib/cmake/vouch/               find_package(vouch CONFIG)
#   lib/pkgconfig/vouch.pc, vouch-ssl.pc
#   bin/vouch                      the command-line tool (with VOUCH_BUILD_TOOLS)
#
# Everything is relocatable: the CMake package and the .pc files find the
# prefix from their own location, so the tree can be moved or installed
# with --prefix whatever CMAKE_INSTALL_PREFIX was at configure time.
include(CMakePackageConfigHelpers)

set(VOUCH_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vouch)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vouch/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vouch
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vouch-ssl/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vouch-ssl
        FILES_MATCHING PATTERN "*.h")

# libvouch.so -> libvouch.so.0 (the SONAME) -> libvouch.so.0.1.0; the same
# for libvouch_ssl.
install(TARGETS vouch vouch_shared vouch_ssl vouch_ssl_shared
        EXPORT vouchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET vouch_cli)
  # Linked statically against libvouch (it uses internals), so it needs no
  # RPATH: only libcrypto, from the system.
  install(TARGETS vouch_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# ---- CMake package: vouch::vouch_static/_shared, vouch::ssl_static/_shared,
# and vouch::vouch / vouch::ssl chosen by vouchConfig.cmake.
install(EXPORT vouchTargets
        NAMESPACE vouch::
        DESTINATION ${VOUCH_CMAKE_PACKAGE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/vouchConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vouchConfig.cmake
  INSTALL_DESTINATION ${VOUCH_CMAKE_PACKAGE_DIR}
  NO_SET_AND_CHECK_MACRO)
# 0.x: a different minor version may break the API, so only the same
# major.minor is compatible; from 1.0 on, the same major version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(VOUCH_VERSION_COMPATIBILITY SameMinorVersion)
else()
  set(VOUCH_VERSION_COMPATIBILITY SameMajorVersion)
endif()
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/vouchConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY ${VOUCH_VERSION_COMPATIBILITY})
install(FILES ${PROJECT_BINARY_DIR}/vouchConfig.cmake
              ${PROJECT_BINARY_DIR}/vouchConfigVersion.cmake
        DESTINATION ${VOUCH_CMAKE_PACKAGE_DIR})

# ---- pkg-config: the prefix is ${pcfiledir} plus the way up from
# lib/pkgconfig (or lib/<multiarch>/pkgconfig) to the prefix.
file(RELATIVE_PATH VOUCH_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" VOUCH_PC_PREFIX_FROM_PCDIR "${VOUCH_PC_PREFIX_FROM_PCDIR}")
foreach(pc vouch vouch-ssl)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
