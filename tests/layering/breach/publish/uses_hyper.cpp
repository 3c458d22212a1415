// A deliberate breach, for the layering check's own test: the publisher sees only files, never
// hyperd or batches (src/layers.cmake). tests/CMakeLists.txt expects the check to refuse it.
#include "hyper/engine_state.hpp"
#include "sources/csv/csv_reader.hpp"
#include "net/http.hpp"
