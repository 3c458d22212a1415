#pragma once
// The benchmark table of issue #2: (int, bigint, double, text, date, timestamp), all nullable,
// generated deterministically. bench/pantab_insert.py generates the identical data.

#include <cstdint>
#include <string>

#include "hyperpipe/column_batch.hpp"

namespace hyperpipe::bench {

TableDefinition bench_table();

/// Fills `batch` (cleared first) with rows [first, first + count). Row i has NULLs where
/// i % 17 == column index + 1, so every column has NULLs.
void fill_batch(ColumnBatch& batch, std::int64_t first, std::int64_t count);

} // namespace hyperpipe::bench
