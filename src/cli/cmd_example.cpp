#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/example_data.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inspect_output.hpp"

namespace hyperpipe::cli {

Runner add_example_command(CLI::App& app) {
  struct Args {
    std::string out = "example.hyper";
    std::size_t customers = 50;
    std::size_t orders = 5000;
    int file_version = 2;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand(
      "example", "Write a two-table example extract (customers, orders) from built-in data and inspect it");
  command->add_option("--out", args->out, "where to write it (default: example.hyper)");
  command->add_option("--customers", args->customers, "number of customers (default: 50)")->check(CLI::Range(1, 10'000'000));
  command->add_option("--orders", args->orders, "number of orders (default: 5000)")->check(CLI::Range(0, 100'000'000));
  command->add_option("--file-version", args->file_version, "file format version 0-4 (default: 2)")->check(CLI::Range(0, 4));
  auto engine_flags = add_engine_flags(*command);
  return [args, engine_flags] {
    EngineOptions options = engine_flags->options();
    options.default_file_version = args->file_version;
    auto engine = HyperEngine::start(options);
    if (!engine) {
      return report(engine.error());
    }
    auto writer = ExtractWriter::open(*engine, args->out, {CreateMode::replace, args->file_version});
    if (!writer) {
      return report(writer.error());
    }
    if (auto written = write_example_tables(*writer, args->customers, args->orders); !written) {
      return report(written.error());
    }
    if (auto committed = writer->commit(); !committed) {
      return report(committed.error());
    }
    auto info = engine->inspect(args->out);
    if (!info) {
      return report(info.error());
    }
    const std::string text = inspect_text(*info);
    std::fwrite(text.data(), 1, text.size(), stdout);
    auto stopped = engine->shutdown();
    return stopped ? k_exit_ok : report(stopped.error());
  };
}

} // namespace hyperpipe::cli
