// `hyperpipe validate` and `hyperpipe run`: pipelines as code.

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/exit_codes.hpp"
#include "cli/pipeline_file.hpp"
#include "cli/run_display.hpp"
#include "pipeline/run/run_records.hpp"
#include "history/run_history.hpp"
#include "net/http.hpp"
#include "pipeline/config/pipeline_spec.hpp"
#include "pipeline/run/runner.hpp"
#include "pipeline/state/run_state.hpp"

namespace hyperpipe::cli {
namespace {

int exit_code_of(const pipeline::RunReport& report) {
  using pipeline::FailedStage;
  switch (report.failed_stage) {
  case FailedStage::none: return k_exit_ok;
  case FailedStage::configuration: return k_exit_config;
  case FailedStage::source: return k_exit_source;
  case FailedStage::publish:
    return report.error_kind == ErrorKind::outcome_unknown ? k_exit_outcome_unknown : k_exit_publish;
  case FailedStage::busy: return k_exit_busy;
  case FailedStage::transform:
  case FailedStage::output:
  case FailedStage::engine: break;
  }
  Error error;
  // A pipeline's own mistakes found while running (a key column the query lacks) are about the
  // data's shape, not the command line.
  error.kind = report.error_kind == ErrorKind::invalid_argument ? ErrorKind::schema_mismatch : report.error_kind;
  return exit_code_for(error);
}

} // namespace

Runner add_validate_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("validate", "Check a pipeline file and report every problem, without running anything");
  command->add_option("pipeline", *file, "the pipeline file (YAML)")->required();
  return [file] {
    auto spec = load_or_report(*file);
    if (!spec) {
      return static_cast<int>(k_exit_config);
    }
    std::size_t tables = 0, targets = 0;
    for (const auto& output : spec->outputs) {
      tables += output.tables.size();
      targets += output.publish.size();
    }
    fmt::print("{}: valid: {} source{}, {} transform{}, {} output{} ({} table{}), {} publish target{}\n", *file,
               spec->sources.size(), spec->sources.size() == 1 ? "" : "s", spec->transforms.size(),
               spec->transforms.size() == 1 ? "" : "s", spec->outputs.size(), spec->outputs.size() == 1 ? "" : "s", tables,
               tables == 1 ? "" : "s", targets, targets == 1 ? "" : "s");
    return static_cast<int>(k_exit_ok);
  };
}

Runner add_history_command(CLI::App& app) {
  struct Args {
    std::string file;
    bool json = false;
    std::size_t limit = 20;
    std::string state_dir = ".hyperpipe";
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("history", "Show recorded runs (manual and scheduled), newest first");
  command->add_option("pipeline", args->file, "the pipeline file (YAML); none: every pipeline whose state folder is --state-dir");
  command->add_option("--state-dir", args->state_dir, "without a pipeline file: the state folder to read (default: .hyperpipe)");
  command->add_flag("--json", args->json, "one JSON array instead of a table");
  command->add_option("--limit", args->limit, "how many runs (default: 20)")->check(CLI::Range(1, 1'000'000));
  return [args] {
    std::string name; // empty: every pipeline
    std::filesystem::path file = std::filesystem::path(args->state_dir) / "history.sqlite";
    if (!args->file.empty()) {
      auto spec = load_or_report(args->file);
      if (!spec) {
        return static_cast<int>(k_exit_config);
      }
      name = spec->name;
      file = pipeline::history_file_of(*spec);
    }
    if (!std::filesystem::exists(file)) {
      fmt::print("{}: no runs recorded yet\n", name.empty() ? file.string() : name);
      return static_cast<int>(k_exit_ok);
    }
    auto history = history::RunHistory::open(file);
    if (!history) {
      return report(history.error());
    }
    auto runs = history->list(name, args->limit);
    if (!runs) {
      return report(runs.error());
    }
    if (args->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& run : *runs) {
        out.push_back({{"id", run.id}, {"pipeline", run.pipeline}, {"started", run.started}, {"finished", run.finished},
                       {"status", run.status}, {"trigger", run.trigger}, {"seconds", run.seconds}, {"rows", run.rows},
                       {"outputs", run.outputs}, {"report", run.report}, {"error", run.error}});
      }
      fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
      return static_cast<int>(k_exit_ok);
    }
    for (const auto& run : *runs) {
      fmt::print("#{} {}{} {} {:>9} {:.2f} s {} rows ({}){}\n", run.id, name.empty() ? run.pipeline + " " : "", run.started,
                 run.trigger, run.status, run.seconds, run.rows, run.outputs, run.error.empty() ? "" : fmt::format(": {}", run.error));
    }
    return static_cast<int>(k_exit_ok);
  };
}

Runner add_run_command(CLI::App& app) {
  struct Args {
    std::string file;
    bool dry_run = false;
    bool no_publish = false;
    std::vector<std::string> only;
    std::string report;
    std::string trigger = "manual";
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("run", "Run a pipeline: stage sources, transform in Hyper, write and publish extracts");
  command->add_option("pipeline", args->file, "the pipeline file (YAML)")->required();
  command->add_flag("--dry-run", args->dry_run, "print the plan (sources, SQL, outputs, publish targets) and run nothing");
  command->add_flag("--no-publish", args->no_publish, "write the extracts but publish nothing");
  command->add_option("--only", args->only, "write (and publish) only this output; repeatable");
  auto display_flags = add_display_flags(*command);
  command->add_option("--report", args->report, "where to write the JSON run report (default: STATE_DIR/NAME.last-run.json)");
  // Set by `hyperpipe schedule` for the runs it starts, so the history tells them apart.
  command->add_option("--trigger", args->trigger)->check(CLI::IsMember({"manual", "schedule"}))->group("");
  auto engine_flags = add_engine_flags(*command);
  command->footer("Exit codes: 0 success, 8 invalid pipeline, 9 a source failed, 5 a transform's SQL failed,\n"
                  "7 publishing failed, 3/6 an output could not be written, 4 hyperd, 10 already running.\n"
                  "See docs/pipeline.md.");
  return [args, engine_flags, display_flags] {
    auto spec = load_or_report(args->file);
    if (!spec) {
      return static_cast<int>(k_exit_config);
    }
    pipeline::RunOptions options;
    options.plan.only = args->only;
    options.plan.publish = !args->no_publish;
    // Fault injection for the crash tests (tests/python/test_crash_consistency.py): SIGKILL right
    // after the named commit step, as a power cut or the OOM killer would.
    if (const char* step = std::getenv("HYPERPIPE_TEST_KILL_AFTER_COMMIT_STEP"); step != nullptr && *step != '\0') {
      options.after_commit_step = [name = std::string(step)](std::string_view done) {
        if (done == name) {
          ::raise(SIGKILL);
        }
      };
    }
    if (args->dry_run) {
      auto plan = pipeline::make_plan(*spec, options.plan);
      if (!plan) {
        report(plan.error());
        return static_cast<int>(k_exit_config);
      }
      fmt::print("{}", net::redact(plan->describe(), spec->secrets));
      fmt::print("dry run: nothing was read, written or published\n");
      return static_cast<int>(k_exit_ok);
    }
    auto display = make_run_display(display_flags->options(::isatty(STDERR_FILENO) == 1), stderr);
    const std::string started = pipeline::utc_now();
    auto engine = start_engine(*engine_flags);
    if (!engine) {
      // Recorded and notified like any failed run: an unattended schedule must not fail silently.
      pipeline::RunReport failed;
      failed.pipeline = spec->name;
      failed.started = started;
      failed.finished = pipeline::utc_now();
      failed.failed_stage = pipeline::FailedStage::engine;
      failed.failed_step = "start hyperd";
      failed.error = engine.error().message;
      failed.hint = engine.error().hint;
      for (const auto& warning : pipeline::record_run(*spec, failed, {}, args->trigger)) {
        fmt::print(stderr, "hyperpipe: warning: {}\n", warning);
      }
      return report(engine.error());
    }
    pipeline::RunReport result = pipeline::run_pipeline(*engine, *spec, options, *display);
    display.reset();
    if (args->trigger == "schedule") {
      // The run is over: a stop request from the scheduler now would only lose its record and
      // make the scheduler report (and retry) a run that finished. Deferred until we exit.
      sigset_t stop;
      sigemptyset(&stop);
      sigaddset(&stop, SIGTERM);
      sigaddset(&stop, SIGINT);
      ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    }
    if (result.failed_stage == pipeline::FailedStage::busy) {
      // Another run is doing the work: nothing to record, report or notify.
      fmt::print(stderr, "hyperpipe: error: {}\nhint: {}\n", result.error, result.hint);
      return static_cast<int>(k_exit_busy);
    }
    const std::filesystem::path report_file = args->report.empty() ? pipeline::report_file_of(*spec) : std::filesystem::path(args->report);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::absolute(report_file).parent_path(), ec);
    auto written = pipeline::write_file_atomically(report_file, result.to_json());
    fmt::print("{}", net::redact(result.summary(), spec->secrets));
    if (!written) {
      fmt::print(stderr, "hyperpipe: warning: could not write the run report: {}\n", written.error().describe());
    } else {
      fmt::print("report: {}\n", report_file.string());
    }
    for (const auto& warning : pipeline::record_run(*spec, result, std::filesystem::absolute(report_file), args->trigger)) {
      fmt::print(stderr, "hyperpipe: warning: {}\n", warning);
    }
    if (!result.succeeded) {
      fmt::print(stderr, "hyperpipe: error: {}: {}\n", result.failed_step, result.error);
      if (!result.hint.empty()) {
        fmt::print(stderr, "hint: {}\n", result.hint);
      }
      fmt::print(stderr, "{}\n", result.failed_stage == pipeline::FailedStage::publish
                                    ? "the extracts and state were updated; this data source on the server is unchanged"
                                    : "the previous extracts, state and published data sources are unchanged");
    }
    auto stopped = engine->shutdown();
    if (result.succeeded && !stopped) {
      return report(stopped.error());
    }
    return exit_code_of(result);
  };
}

} // namespace hyperpipe::cli
