// The engine limit for CSV loading (issue #3 benchmark a): hyperd's own CSV reader copying the
// file, server-side, into a table that already has the right column types. No client work.
//   csv_copy_limit FILE.csv OUT.hyper "col TYPE, col TYPE, ..."
// Prints {"seconds": ..., "rows": ...}.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "base/quoting.hpp"
#include "hyper/engine_state.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/engine.hpp"

using namespace hyperpipe;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: csv_copy_limit FILE.csv OUT.hyper \"col TYPE, ...\"\n");
    return 2;
  }
  try {
    const std::string csv = std::filesystem::absolute(argv[1]).string();
    const std::string out = std::filesystem::absolute(argv[2]).string();
    std::filesystem::remove(out);
    auto engine = HyperEngine::start().value();
    auto connection = engine.state().connect().value();
    const auto started = std::chrono::steady_clock::now();
    connection.execute(sql::create_database(out, 2)).value();
    connection.execute(sql::attach_database(out, "\"limit\"")).value();
    connection.execute("CREATE SCHEMA \"limit\".\"Extract\"").value();
    connection.execute(fmt::format("CREATE TABLE \"limit\".\"Extract\".\"Extract\" ({})", argv[3])).value();
    const auto rows = connection
                          .execute(fmt::format("COPY \"limit\".\"Extract\".\"Extract\" FROM {} WITH (FORMAT csv, HEADER true)",
                                               base::quote_literal(csv)))
                          .value();
    connection.execute(sql::detach_database("\"limit\"")).value();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    engine.shutdown().value();
    fmt::print("{{\"mode\": \"hyper-copy\", \"rows\": {}, \"load_seconds\": {:.4f}}}\n", rows, seconds);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "csv_copy_limit: %s\n", error.what());
    return 1;
  }
  return 0;
}
