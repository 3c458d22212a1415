#include "hyper/copy/hyperbinary_encoder.hpp"

#include <cstring>
#include <vector>

namespace hyperpipe::copy {
namespace {

// What the row loop needs of one column, flattened so the loop does no virtual dispatch.
struct ColumnView {
  const Column* column;
  std::size_t width; // 0: variable length
  bool nullable;
};

} // namespace

Status encode_rows(const ColumnBatch& batch, std::string& out) {
  HP_TRY(batch.check_complete());
  std::vector<ColumnView> views;
  views.reserve(batch.column_count());
  for (const Column& column : batch.columns()) {
    views.push_back({&column, column.fixed_width(), column.definition().nullable()});
  }
  const std::size_t start = out.size();
  out.resize(start + batch.encoded_size());
  char* cursor = out.data() + start;
  const std::size_t rows = batch.row_count();
  for (std::size_t row = 0; row < rows; ++row) {
    for (const ColumnView& view : views) {
      if (view.nullable) {
        const bool is_null = view.column->is_null(row);
        *cursor++ = is_null ? '\1' : '\0';
        if (is_null) {
          continue;
        }
      }
      // Constant-size copies compile to single moves; this loop is the client's hot path.
      switch (view.width) {
      case 1: *cursor = static_cast<char>(*view.column->fixed_value(row)); break;
      case 2: std::memcpy(cursor, view.column->fixed_value(row), 2); break;
      case 4: std::memcpy(cursor, view.column->fixed_value(row), 4); break;
      case 8: std::memcpy(cursor, view.column->fixed_value(row), 8); break;
      case 16: std::memcpy(cursor, view.column->fixed_value(row), 16); break;
      default: break;
      }
      if (view.width > 0) {
        cursor += view.width;
      } else {
        const std::string_view bytes = view.column->var_value(row);
        const auto length = static_cast<std::uint32_t>(bytes.size());
        std::memcpy(cursor, &length, sizeof length);
        cursor += sizeof length;
        std::memcpy(cursor, bytes.data(), bytes.size());
        cursor += bytes.size();
      }
    }
  }
  if (cursor != out.data() + out.size()) {
    return make_error(ErrorKind::internal, "HyperBinary encoder wrote a different size than computed");
  }
  return {};
}

} // namespace hyperpipe::copy
