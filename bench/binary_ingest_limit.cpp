// How fast hyperd ingests a table's rows in its cheapest input format, HyperBinary: the rows of
// an existing extract are exported with COPY TO STDOUT (not timed) and loaded into a new file
// (timed: create, COPY FROM STDIN, detach). The floor under any client that sends HyperBinary.
//   binary_ingest_limit SOURCE.hyper OUT.hyper
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "hyper/engine_state.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/engine.hpp"

using namespace hyperpipe;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: binary_ingest_limit SOURCE.hyper OUT.hyper\n");
    return 2;
  }
  try {
    const std::string source = std::filesystem::absolute(argv[1]).string();
    const std::string out = std::filesystem::absolute(argv[2]).string();
    std::filesystem::remove(out);
    auto engine = HyperEngine::start().value();
    auto table = engine.inspect(source).value().tables.at(0).definition;
    auto reader = engine.state().connect(source).value();
    const std::string bytes =
        reader.copy_out(fmt::format("COPY {} TO STDOUT WITH (FORMAT HYPERBINARY)", table.name.quoted())).value();
    auto connection = engine.state().connect().value();
    const auto started = std::chrono::steady_clock::now();
    connection.execute(sql::create_database(out, 2)).value();
    connection.execute(sql::attach_database(out, "\"limit\"")).value();
    connection.execute(sql::create_schema("\"limit\"", table.name.schema)).value();
    connection.execute(sql::create_table("\"limit\"", table)).value();
    connection.copy_begin(sql::copy_from_stdin(sql::qualified("\"limit\"", table.name), table)).value();
    constexpr std::size_t k_chunk = 8U << 20U;
    for (std::size_t offset = 0; offset < bytes.size(); offset += k_chunk) {
      connection.copy_send(std::string_view(bytes).substr(offset, k_chunk)).value();
    }
    const auto rows = connection.copy_end().value();
    connection.execute(sql::detach_database("\"limit\"")).value();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    engine.shutdown().value();
    fmt::print("{{\"mode\": \"hyperbinary-ingest\", \"rows\": {}, \"bytes\": {}, \"load_seconds\": {:.4f}}}\n", rows,
               bytes.size(), seconds);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "binary_ingest_limit: %s\n", error.what());
    return 1;
  }
  return 0;
}
