// End-to-end insert benchmark for issue #2. One process run = one measurement; the driver
// (bench/run_insert_bench.py) runs it side by side with pantab and repeats.
//
//   insert_bench inserter     --rows N --out FILE   hyperpipe's public API: generate, encode, stream
//   insert_bench engine-limit --rows N --out FILE   the same rows pre-encoded in memory before the
//                                                   clock starts: hyperd's own COPY speed
// Prints one JSON object: rows, seconds for the COPY phase, hyperd start-to-ready, peak RSS.

#include <sys/resource.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "hyper/copy/hyperbinary_encoder.hpp"
#include "hyper/engine_state.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/extract.hpp"

using namespace hyperpipe;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t k_batch_rows = 65'536;
constexpr std::size_t k_chunk_bytes = 16U << 20U;

rusage self_usage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage;
}

double cpu_seconds(const timeval& time) { return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6; }

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Issue #2's inserter path, exactly as a library user would write it.
double run_inserter(HyperEngine& engine, const std::string& out, std::int64_t rows) {
  const auto started = Clock::now();
  auto writer = ExtractWriter::open(engine, out).value();
  const TableDefinition table = bench::bench_table();
  writer.add_table(table).value();
  auto table_writer = writer.write_to(table.name).value();
  ColumnBatch batch(table);
  for (std::int64_t first = 0; first < rows; first += k_batch_rows) {
    bench::fill_batch(batch, first, std::min(k_batch_rows, rows - first));
    table_writer.write(batch).value();
  }
  table_writer.finish().value();
  writer.commit().value();
  return seconds_since(started);
}

// The engine limit: every byte is encoded before the clock starts; the timed part is only
// hyperd receiving and storing it (plus file creation and the final detach, as above).
double run_engine_limit(HyperEngine& engine, const std::string& out, std::int64_t rows) {
  const TableDefinition table = bench::bench_table();
  std::vector<std::string> chunks(1);
  chunks.back().append(copy::k_hyperbinary_header);
  ColumnBatch batch(table);
  for (std::int64_t first = 0; first < rows; first += k_batch_rows) {
    bench::fill_batch(batch, first, std::min(k_batch_rows, rows - first));
    copy::encode_rows(batch, chunks.back()).value();
    if (chunks.back().size() >= k_chunk_bytes) {
      chunks.emplace_back();
    }
  }
  auto& state = engine.state();
  auto connection = state.connect().value();
  std::remove(out.c_str());
  const auto started = Clock::now();
  connection.execute(sql::create_database(out, 2)).value();
  connection.execute(sql::attach_database(out, "\"limit\"")).value();
  connection.execute(sql::create_schema("\"limit\"", "Extract")).value();
  connection.execute(sql::create_table("\"limit\"", table)).value();
  connection.copy_begin(sql::copy_from_stdin(sql::qualified("\"limit\"", table.name), table)).value();
  for (const auto& chunk : chunks) {
    connection.copy_send(chunk).value();
  }
  const auto copied = connection.copy_end().value();
  connection.execute(sql::detach_database("\"limit\"")).value();
  const double seconds = seconds_since(started);
  if (copied != static_cast<std::uint64_t>(rows)) {
    throw std::runtime_error("row count mismatch");
  }
  return seconds;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 6 || std::strcmp(argv[2], "--rows") != 0 || std::strcmp(argv[4], "--out") != 0) {
    std::fprintf(stderr, "usage: insert_bench inserter|engine-limit --rows N --out FILE\n");
    return 2;
  }
  const std::string mode = argv[1];
  const std::int64_t rows = std::stoll(argv[3]);
  const std::string out = argv[5];
  try {
    const auto spawn = Clock::now();
    auto engine = HyperEngine::start().value();
    const double engine_start = seconds_since(spawn);
    const double load = mode == "engine-limit" ? run_engine_limit(engine, out, rows) : run_inserter(engine, out, rows);
    engine.shutdown().value();
    const rusage usage = self_usage();
    fmt::print("{{\"mode\": \"{}\", \"rows\": {}, \"load_seconds\": {:.4f}, \"rows_per_second\": {:.0f}, "
               "\"hyperd_ready_ms\": {:.2f}, \"engine_start_ms\": {:.2f}, \"peak_rss_mib\": {:.1f}, "
               "\"client_cpu_seconds\": {:.3f}}}\n",
               mode, rows, load, static_cast<double>(rows) / load,
               static_cast<double>(engine.startup_time().count()) / 1000.0, engine_start * 1000.0,
               static_cast<double>(usage.ru_maxrss) / 1024.0, cpu_seconds(usage.ru_utime) + cpu_seconds(usage.ru_stime));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "insert_bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
