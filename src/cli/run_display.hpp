#pragma once
// How `hyperpipe run` shows a run: live progress lines on a terminal, timestamped log lines
// otherwise, or JSON lines (--log-format json) for log collectors. All go to stderr; the
// summary goes to stdout.

#include <cstdio>
#include <memory>

#include "pipeline/run/runner.hpp"

namespace hyperpipe::cli {

enum class LogFormat { text, json };

/// `live`: redraw progress lines in place (stderr is a terminal).
std::unique_ptr<pipeline::RunObserver> make_run_display(LogFormat format, bool live, std::FILE* out);

} // namespace hyperpipe::cli
