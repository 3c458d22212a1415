// hyperpipe: data from many sources into Tableau Hyper extracts. This file only wires the
// subcommands together; each lives in its own cmd_*.cpp.

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fmt/format.h>

#include "base/pg_environment.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "hyperpipe/extract.hpp"

int main(int argc, char** argv) {
  using namespace hyperpipe::cli;
  hyperpipe::install_interrupt_cleanup();
  // libpq sends these to every server as startup settings, hyperd included; PostgreSQL sources
  // set their session time zone themselves and read binary values, so they need none of them.
  for (const char* variable : {"PGTZ", "PGDATESTYLE", "PGGEQO"}) {
    ::unsetenv(variable);
  }
  // libpq would send hyperd's connections to PGHOSTADDR (or a PGSERVICE's host) instead of
  // hyperd's private socket.
  hyperpipe::base::set_aside_pg_redirects();
  CLI::App app{"hyperpipe: load data into Tableau Hyper extracts (.hyper) by driving hyperd directly", "hyperpipe"};
  app.set_version_flag("--version", fmt::format("hyperpipe {}", HYPERPIPE_VERSION));
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 1 failure, 2 usage, 3 input file, 4 hyperd, 5 SQL, 6 data/schema, 7 publish, 8 pipeline file, 9 pipeline source,\n"
             "10 already running, 11 publish outcome unknown (may have been applied).\n"
             "Run 'hyperpipe COMMAND --help' for a command's options.");
  const Runner inspect = add_inspect_command(app);
  const Runner query = add_query_command(app);
  const Runner example = add_example_command(app);
  const Runner load = add_load_command(app);
  const Runner publish = add_publish_command(app);
  const Runner validate = add_validate_command(app);
  const Runner run = add_run_command(app);
  const Runner schedule = add_schedule_command(app);
  const Runner history = add_history_command(app);
  const Runner doctor = add_doctor_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }
  if (app.got_subcommand("inspect")) {
    return inspect();
  }
  if (app.got_subcommand("query")) {
    return query();
  }
  if (app.got_subcommand("load")) {
    return load();
  }
  if (app.got_subcommand("publish")) {
    return publish();
  }
  if (app.got_subcommand("validate")) {
    return validate();
  }
  if (app.got_subcommand("run")) {
    return run();
  }
  if (app.got_subcommand("schedule")) {
    return schedule();
  }
  if (app.got_subcommand("history")) {
    return history();
  }
  if (app.got_subcommand("doctor")) {
    return doctor();
  }
  return example();
}
