#pragma once
// HyperBinary: the COPY format hyperd reads natively. Pure: batches in, bytes out, no I/O.
//
// Layout (verified against hyperd): a 19-byte stream header ("HPRCPY" + 13 zero bytes) once at
// the start of a COPY, then rows back to back with no row or stream terminator. Each value of a
// nullable column starts with one byte, 0 = value follows, 1 = NULL; NOT NULL columns have no
// such byte. Fixed-width values are little-endian; variable-length values are a uint32 byte
// length and the bytes.

#include <string>
#include <string_view>

#include "hyperpipe/column_batch.hpp"

namespace hyperpipe::copy {

inline constexpr std::string_view k_hyperbinary_header{"HPRCPY\0\0\0\0\0\0\0\0\0\0\0\0\0", 19};

/// Appends every row of `batch` to `out`, growing it by exactly batch.encoded_size() bytes.
/// Fails only if the batch's columns have different lengths.
Status encode_rows(const ColumnBatch& batch, std::string& out);

} // namespace hyperpipe::copy
