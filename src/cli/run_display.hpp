#pragma once
// How `hyperpipe run`, `load` and `publish` show their work: live lines on a terminal (one per
// running step, redrawn in place, with bytes done of the total where it is known, rows, rate and
// time left), timestamped plain lines every few seconds otherwise (a log file, a scheduler's
// journal), or JSON lines (--log-format json) for log collectors. All go to stderr; summaries go
// to stdout. A step that reports nothing for a while (a transform, hyperd copying an output) is
// still shown: the display ticks on its own clock.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "pipeline/run/runner.hpp"

namespace hyperpipe::cli {

enum class LogFormat { text, json };

struct DisplayOptions {
  LogFormat format = LogFormat::text;
  bool live = false; ///< redraw lines in place (stderr is a terminal)
  /// How often plain and JSON lines repeat a running step's progress; live lines redraw at most
  /// ten times a second and tick every second.
  std::chrono::milliseconds interval{5000};
};

/// The flags `run`, `load` and `publish` share: --progress, --progress-interval, --log-format.
struct DisplayFlags {
  std::string progress = "auto";
  double interval_seconds = 5;
  std::string log_format = "text";
  /// The options these flags give, `stderr_is_terminal` deciding what `auto` means.
  DisplayOptions options(bool stderr_is_terminal) const;
};
std::shared_ptr<DisplayFlags> add_display_flags(CLI::App& command);

std::unique_ptr<pipeline::RunObserver> make_run_display(const DisplayOptions& options, std::FILE* out);

/// "1.2 GB", "850.0 MB", "12.3 kB": decimal units, as file managers and upload tools show them.
std::string human_bytes(std::uint64_t bytes);
/// "0:42", "1:02:03": the time left from `done` of `total` after `seconds`; empty when unknown.
std::string time_left(std::uint64_t done, std::uint64_t total, double seconds);

} // namespace hyperpipe::cli
