# Every third-party library comes from a Debian -dev package (scripts/bootstrap installs them).
# Each is wrapped in a dep_* target so the folder libraries name what they use.
find_package(Threads REQUIRED)
find_package(PostgreSQL REQUIRED)        # libpq: the wire protocol to hyperd
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)

add_library(dep_libpq INTERFACE)
target_link_libraries(dep_libpq INTERFACE PostgreSQL::PostgreSQL)

find_package(simdjson REQUIRED)          # UTF-8 validation (and JSON sources)
add_library(dep_simdjson INTERFACE)
target_link_libraries(dep_simdjson INTERFACE simdjson::simdjson)

find_package(ZLIB REQUIRED)              # gzip-compressed inputs
# Howard Hinnant's date library (header-only, libhowardhinnant-date-dev): calendar parsing with
# format strings, and later the IANA time zones that g++ 12's std::chrono lacks.
find_path(HOWARD_DATE_INCLUDE date/date.h REQUIRED)

find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)   # .xlsx containers
add_library(dep_libzip INTERFACE)
target_link_libraries(dep_libzip INTERFACE PkgConfig::LIBZIP)
find_package(EXPAT REQUIRED)                                 # streamed sheet XML
add_library(dep_expat INTERFACE)
target_link_libraries(dep_expat INTERFACE EXPAT::EXPAT)

find_package(CURL REQUIRED)                  # HTTPS to Tableau Server / Cloud
add_library(dep_curl INTERFACE)
target_link_libraries(dep_curl INTERFACE CURL::libcurl)
find_package(LibXml2 REQUIRED)               # Tableau REST XML
add_library(dep_libxml2 INTERFACE)
target_link_libraries(dep_libxml2 INTERFACE LibXml2::LibXml2)
pkg_check_modules(LIBJWT REQUIRED IMPORTED_TARGET libjwt)   # connected-app tokens, HS256
add_library(dep_jwt INTERFACE)
target_link_libraries(dep_jwt INTERFACE PkgConfig::LIBJWT)
find_package(yaml-cpp REQUIRED)              # pipeline files, with line/column marks
add_library(dep_yaml INTERFACE)
if(TARGET yaml-cpp::yaml-cpp)
  target_link_libraries(dep_yaml INTERFACE yaml-cpp::yaml-cpp)
else()
  target_link_libraries(dep_yaml INTERFACE yaml-cpp)
endif()
find_package(date REQUIRED)                  # IANA time zones (libdate-tz, the system tzdata)
add_library(dep_date_tz INTERFACE)
target_link_libraries(dep_date_tz INTERFACE date::date-tz)
find_package(SQLite3 REQUIRED)               # run history, SQLite sources
add_library(dep_sqlite INTERFACE)
target_link_libraries(dep_sqlite INTERFACE SQLite::SQLite3)
find_package(ODBC REQUIRED)                  # ODBC sources (unixODBC)
add_library(dep_odbc INTERFACE)
target_link_libraries(dep_odbc INTERFACE ODBC::ODBC)
