// Allowed: a source may use batches and byte streams (src/layers.cmake).
#include "batch/column.hpp"
#include "hyperpipe/table.hpp"
#include "io/input_stream.hpp"
