#pragma once
// The subcommands of the hyperpipe CLI. Each add_* registers its flags on the app and returns
// the function that runs it after parsing, returning the process exit code.

#include <CLI/CLI.hpp>

#include <functional>

namespace hyperpipe::cli {

using Runner = std::function<int()>;

Runner add_inspect_command(CLI::App& app);
Runner add_query_command(CLI::App& app);
Runner add_example_command(CLI::App& app);
Runner add_load_command(CLI::App& app);
Runner add_publish_command(CLI::App& app);
Runner add_validate_command(CLI::App& app);
Runner add_run_command(CLI::App& app);
Runner add_schedule_command(CLI::App& app);
Runner add_history_command(CLI::App& app);
Runner add_doctor_command(CLI::App& app);

} // namespace hyperpipe::cli
