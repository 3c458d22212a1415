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

// i % n without a division per row: the source side of the benchmark should cost next to
// nothing, so what is measured is the inserter.
struct Cycle {
  std::int64_t value;
  std::int64_t period;
  Cycle(std::int64_t start, std::int64_t n) : value(start % n), period(n) {}
  void next() {
    if (++value == period) {
      value = 0;
    }
  }
};

} // namespace

void fill_batch(ColumnBatch& batch, std::int64_t first, std::int64_t count) {
  batch.clear();
  batch.reserve(static_cast<std::size_t>(count));
  constexpr std::int64_t k_ts_base = 946'684'800'000'000; // 2000-01-01 as Unix µs
  const auto& text = names();
  Column& c_int = batch.column(0);
  Column& c_big = batch.column(1);
  Column& c_double = batch.column(2);
  Column& c_text = batch.column(3);
  Column& c_date = batch.column(4);
  Column& c_ts = batch.column(5);
  Cycle null_column(first, 17); // row i has NULL in column k (1-based) when i % 17 == k
  Cycle mod_million(first, 1'000'000);
  Cycle mod_names(first, 100'000);
  Cycle mod_days(first, 10'000);
  for (std::int64_t i = first; i < first + count; ++i) {
    const std::int64_t null_at = null_column.value;
    (void)(null_at == 1 ? c_int.append_null() : c_int.append_int(mod_million.value));
    (void)(null_at == 2 ? c_big.append_null() : c_big.append_int(i * 1'000'003));
    (void)(null_at == 3 ? c_double.append_null() : c_double.append_double(static_cast<double>(i) * 0.25));
    (void)(null_at == 4 ? c_text.append_null() : c_text.append_text(text[static_cast<std::size_t>(mod_names.value)]));
    (void)(null_at == 5 ? c_date.append_null() : c_date.append_date(Date{static_cast<std::int32_t>(10'957 + mod_days.value)}));
    (void)(null_at == 6 ? c_ts.append_null() : c_ts.append_timestamp(Timestamp{k_ts_base + i * 1'000'003}));
    null_column.next();
    mod_million.next();
    mod_names.next();
    mod_days.next();
  }
}

} // namespace hyperpipe::bench
