// Micro-benchmarks of the client-side work per row: filling a batch (value checks included) and
// encoding it to HyperBinary. They show how far below hyperd's own speed the client stays.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "hyper/copy/hyperbinary_encoder.hpp"

namespace {

constexpr std::int64_t k_rows = 65'536;

void BM_FillBatch(benchmark::State& state) {
  hyperpipe::ColumnBatch batch(hyperpipe::bench::bench_table());
  for (auto _ : state) {
    hyperpipe::bench::fill_batch(batch, 0, k_rows);
    benchmark::DoNotOptimize(batch.row_count());
  }
  state.SetItemsProcessed(state.iterations() * k_rows);
}
BENCHMARK(BM_FillBatch);

void BM_EncodeBatch(benchmark::State& state) {
  hyperpipe::ColumnBatch batch(hyperpipe::bench::bench_table());
  hyperpipe::bench::fill_batch(batch, 0, k_rows);
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(hyperpipe::copy::encode_rows(batch, out).ok());
  }
  state.SetItemsProcessed(state.iterations() * k_rows);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_EncodeBatch);

} // namespace
