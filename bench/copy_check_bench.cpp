// Micro-benchmark of the check that lets hyperd copy a plain CSV file itself (CopyCheck): its
// bytes per second over rows shaped like bench/make_csv.py's (W2's file). It runs beside hyperd's
// COPY on the same cores, so every cycle it spends shows in W2's wall time.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sources/csv/copy_check.hpp"

namespace {

using hyperpipe::SqlType;

constexpr int k_rows = 200'000;

std::string mixed_csv() {
  static const char* const k_cities[] = {"Brussels", "Zürich", "São Paulo", "Seattle", "Tokyo", "Lagos", "\"Lima, Peru\""};
  std::string out = "id,customer,amount,ratio,qty,name,city,day,seen_at,active,code,note\n";
  for (int i = 0; i < k_rows; ++i) {
    const int month = i % 12 + 1;
    const int day = i % 28 + 1;
    out += fmt::format("{},{},{}.{:02},0.{:06},{},customer {},{},{}-{:02}-{:02},2024-{:02}-{:02} {:02}:{:02}:{:02},{},C{:04},{}\n",
                       i, 3'000'000'000LL + 7LL * i, (i * 7919) % 1000, i % 100, (i * 104'729LL) % 1'000'000, i % 50, i,
                       k_cities[i % 7], 2010 + i % 15, month, day, month, day, i % 24, i % 60, (i * 7) % 60,
                       i % 3 == 0 ? "false" : "true", i % 10'000, i % 5 == 0 ? std::string() : fmt::format("note {}", i % 1000));
  }
  return out;
}

void BM_CopyCheck(benchmark::State& state) {
  const std::string csv = mixed_csv();
  const std::vector<SqlType> columns = {SqlType::integer(),    SqlType::big_int(),    SqlType::numeric(5, 2),
                                        SqlType::numeric(7, 6), SqlType::integer(),    SqlType::text(),
                                        SqlType::text(),        SqlType::date(),       SqlType::timestamp(),
                                        SqlType::boolean(),     SqlType::text(),       SqlType::text()};
  const std::size_t piece = 1U << 20U; // as the scan reads the file
  for (auto _ : state) {
    hyperpipe::sources::CopyCheck check({}, columns, true, std::size_t{64} << 20U);
    for (std::size_t at = 0; at < csv.size(); at += piece) {
      if (!check.feed(std::string_view(csv).substr(at, piece))) {
        state.SkipWithError(check.doubt().c_str());
        return;
      }
    }
    if (!check.finish() || check.rows() != k_rows) {
      state.SkipWithError("the check did not pass every row");
      return;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(csv.size()));
  state.SetItemsProcessed(state.iterations() * k_rows);
}
BENCHMARK(BM_CopyCheck)->Unit(benchmark::kMillisecond);

} // namespace
