#include "bench_data.hpp"

#include <fmt/format.h>

#include <vector>

namespace hyperpipe::bench {

TableDefinition bench_table() {
  TableDefinition table{{"Extract", "Extract"}, {}, {}, {}};
  table.add("i", SqlType::integer())
      .add("b", SqlType::big_int())
      .add("d", SqlType::double_precision())
      .add("s", SqlType::text())
      .add("dt", SqlType::date())
      .add("ts", SqlType::timestamp());
  return table;
}

namespace {

// The 100'000 distinct strings, made once: like pantab's DataFrame, the values exist in memory
// before loading starts, so the benchmark times loading, not string formatting.
const std::vector<std::string>& names() {
  static const std::vector<std::string> values = [] {
    std::vector<std::string> out;
    out.reserve(100'000);
    for (int i = 0; i < 100'000; ++i) {
      out.push_back(fmt::format("name-{}", i));
    }
    return out;
  }();
  return values;
}

} // namespace

void fill_batch(ColumnBatch& batch, std::int64_t first, std::int64_t count) {
  batch.clear();
  batch.reserve(static_cast<std::size_t>(count));
  constexpr std::int64_t k_ts_base = 946'684'800'000'000; // 2000-01-01 as Unix µs
  const auto& text = names();
  for (std::int64_t i = first; i < first + count; ++i) {
    const std::int64_t null_column = i % 17; // 1..6 make that column NULL in this row
    auto put = [&](std::size_t column, auto&& append) {
      if (null_column == static_cast<std::int64_t>(column) + 1) {
        (void)batch.column(column).append_null();
      } else {
        (void)append(batch.column(column));
      }
    };
    put(0, [&](Column& c) { return c.append_int(i % 1'000'000); });
    put(1, [&](Column& c) { return c.append_int(i * 1'000'003); });
    put(2, [&](Column& c) { return c.append_double(static_cast<double>(i) * 0.25); });
    put(3, [&](Column& c) { return c.append_text(text[static_cast<std::size_t>(i % 100'000)]); });
    put(4, [&](Column& c) { return c.append_date(Date{static_cast<std::int32_t>(10'957 + i % 10'000)}); });
    put(5, [&](Column& c) { return c.append_timestamp(Timestamp{k_ts_base + i * 1'000'003}); });
  }
}

} // namespace hyperpipe::bench
