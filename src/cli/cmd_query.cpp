#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/exit_codes.hpp"
#include "cli/text_table.hpp"

namespace hyperpipe::cli {

Runner add_query_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::string sql;
    std::string format = "table";
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("query", "Run one SQL statement against a .hyper file and print the rows");
  command->add_option("file", args->file, "the .hyper file")->required();
  command->add_option("sql", args->sql, "one SQL statement; tables are \"schema\".\"table\"")->required();
  command->add_option("--format", args->format, "table (default), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  auto engine_flags = add_engine_flags(*command);
  command->footer("Example:\n  hyperpipe query sales.hyper 'SELECT count(*) FROM \"Extract\".\"Extract\"' --format csv");
  return [args, engine_flags] {
    auto engine = start_engine(*engine_flags);
    if (!engine) {
      return report(engine.error());
    }
    auto result = engine->query(args->file, args->sql);
    if (!result) {
      return report(result.error());
    }
    const std::string text = args->format == "csv"    ? render_csv(*result)
                             : args->format == "json" ? render_json(*result)
                                                      : render_table(*result);
    std::fwrite(text.data(), 1, text.size(), stdout);
    auto stopped = engine->shutdown();
    return stopped ? k_exit_ok : report(stopped.error());
  };
}

} // namespace hyperpipe::cli
