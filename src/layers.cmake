# The dependency rule: which hyperpipe library may use which. The one table both the build and
# the layering check read: src/CMakeLists.txt links each library to exactly the libraries named
# here (plus its external packages), each library's unit tests link only that library, and
# cmake/check_layers.cmake fails the build's tests on any #include outside it. ARCHITECTURE.md
# quotes it. "May use" is transitive: a library may use what the libraries it uses may use.
#
#        library       folders under src/ (longest match wins)   may use
hp_layer(hp_base       "base"                                    "")
hp_layer(hp_io         "io"                                      "hp_base")
hp_layer(hp_batch      "batch"                                   "hp_base")
hp_layer(hp_sources    "sources"                                 "hp_batch;hp_io")
hp_layer(hp_database   "sources/database"                        "hp_sources")
hp_layer(hp_api        "sources/api"                             "hp_net")
hp_layer(hp_hyper      "hyper"                                   "hp_batch")
hp_layer(hp_extract    "extract"                                 "hp_hyper")
hp_layer(hp_net        "net"                                     "hp_base")
hp_layer(hp_publish    "publish"                                 "hp_net")
hp_layer(hp_history    "history"                                 "hp_base")
hp_layer(hp_schedule   "schedule"                                "hp_base")
hp_layer(hp_notify     "notify"                                  "hp_net")
hp_layer(hp_pipeline   "pipeline"                                "hp_sources;hp_database;hp_api;hp_extract;hp_publish;hp_schedule;hp_notify;hp_history")
hp_layer(hyperpipe     "cli"                                     "hp_pipeline;hp_publish;hp_extract;hp_schedule;hp_history;hp_notify")

# The public headers (include/hyperpipe/) belong to the library that implements them.
hp_public_headers(hp_base    "error.hpp")
hp_public_headers(hp_batch   "sql_type.hpp;table.hpp;values.hpp;column_batch.hpp;query_result.hpp")
hp_public_headers(hp_hyper   "engine.hpp;inspect.hpp")
hp_public_headers(hp_extract "extract.hpp")
