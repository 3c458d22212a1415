# What `cmake --install` puts where, and the Debian package CPack makes of it
# (scripts/package). The binary, the pipeline file's JSON Schema, the docs, a man page generated
# from the commands' own help, bash completion. hyperd is not packaged: it comes from the
# tableauhyperapi wheel (README, "Install").
install(TARGETS hyperpipe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/pipeline.schema.json DESTINATION ${CMAKE_INSTALL_DATADIR}/hyperpipe)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/pipeline.md ${PROJECT_SOURCE_DIR}/docs/types.md
              ${PROJECT_SOURCE_DIR}/docs/guarantees.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/hyperpipe.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME hyperpipe)

# The C++ library, consumed the way C++ libraries are: the public headers, the static libraries
# behind them, a CMake package (find_package(hyperpipe) -> the one target hyperpipe::hyperpipe)
# and a pkg-config file. Both are relocatable, so the package's /usr and a scratch prefix work.
set_target_properties(hyperpipe_lib PROPERTIES EXPORT_NAME hyperpipe)
install(TARGETS hyperpipe_lib hp_extract hp_hyper hp_batch hp_base hp_settings hp_warnings dep_libpq dep_simdjson
        EXPORT hyperpipeTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}/hyperpipe)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hyperpipe DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(HP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hyperpipe)
install(EXPORT hyperpipeTargets NAMESPACE hyperpipe:: DESTINATION ${HP_CMAKE_DIR})
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hyperpipeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
configure_file(${PROJECT_SOURCE_DIR}/packaging/hyperpipeConfig.cmake.in ${PROJECT_BINARY_DIR}/hyperpipeConfig.cmake @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hyperpipeConfig.cmake ${PROJECT_BINARY_DIR}/hyperpipeConfigVersion.cmake
        DESTINATION ${HP_CMAKE_DIR})
file(RELATIVE_PATH HP_PC_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
configure_file(${PROJECT_SOURCE_DIR}/packaging/hyperpipe.pc.in ${PROJECT_BINARY_DIR}/hyperpipe.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hyperpipe.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The man page, from the built binary's help (help2man); only when help2man is there, so a
# developer build does not need it. scripts/package requires it.
find_program(HP_HELP2MAN help2man)
if(HP_HELP2MAN)
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/hyperpipe.1.gz
                     COMMAND ${PROJECT_SOURCE_DIR}/scripts/make_manpage $<TARGET_FILE:hyperpipe> ${PROJECT_BINARY_DIR}/hyperpipe.1
                     COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/hyperpipe.1
                     DEPENDS hyperpipe ${PROJECT_SOURCE_DIR}/scripts/make_manpage
                     COMMENT "man page from hyperpipe's own help")
  add_custom_target(hyperpipe_manpage ALL DEPENDS ${PROJECT_BINARY_DIR}/hyperpipe.1.gz)
  install(FILES ${PROJECT_BINARY_DIR}/hyperpipe.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hyperpipe)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "hyperpipe maintainers <hyperpipe@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "load data into Tableau Hyper extracts and publish them, on a schedule")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)           # hyperpipe_VERSION_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)            # the Debian libraries it links, from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-venv") # for `pip install tableauhyperapi`, which carries hyperd
set(CPACK_PACKAGE_DESCRIPTION
    "hyperpipe reads CSV, JSON, Excel, Parquet, web APIs and databases, combines them in Tableau's Hyper engine, writes .hyper extracts and publishes them to Tableau Server / Cloud. hyperd itself is not included: pip install tableauhyperapi, or pass --hyperd.")
include(CPack)
