#include "cli/run_records.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

#include "net/http.hpp"
#include "notify/notifier.hpp"
#include "pipeline/run/runner.hpp"

namespace hyperpipe::cli {

history::RunRecord record_of(const pipeline::PipelineSpec& spec, const pipeline::RunReport& report,
                             const std::filesystem::path& report_file, const std::string& trigger) {
  history::RunRecord run;
  run.pipeline = spec.name;
  run.started = report.started;
  run.finished = report.finished;
  run.status = report.succeeded ? "succeeded" : "failed";
  run.trigger = trigger;
  run.seconds = report.seconds;
  std::vector<std::string> outputs;
  for (const auto& output : report.outputs) {
    std::uint64_t rows = 0;
    for (const auto& table : output.tables) {
      rows += table.rows_total;
    }
    run.rows += rows;
    run.output_rows.emplace_back(output.name, rows);
    outputs.push_back(fmt::format("{}: {} rows", output.name, rows));
  }
  run.outputs = fmt::format("{}", fmt::join(outputs, ", "));
  run.report = report_file.string();
  run.failed_step = report.failed_step;
  run.error = report.succeeded ? "" : fmt::format("{}: {}", report.failed_step, report.error);
  return run;
}

namespace {

void record(const pipeline::PipelineSpec& spec, const history::RunRecord& run) {
  std::error_code ec;
  std::filesystem::create_directories(spec.state_dir, ec);
  auto history = history::RunHistory::open(pipeline::history_file_of(spec));
  Status recorded = history ? history->record(run, static_cast<std::size_t>(spec.history_runs)) : Status(history.error());
  if (!recorded) {
    fmt::print(stderr, "hyperpipe: warning: could not record the run in the history: {}\n", recorded.error().describe());
  }
}

void notify(const pipeline::PipelineSpec& spec, const history::RunRecord& run, const std::string& hint) {
  if (!spec.notify) {
    return;
  }
  notify::Notice notice;
  notice.pipeline = run.pipeline;
  notice.status = run.status;
  notice.trigger = run.trigger;
  notice.started = run.started;
  notice.finished = run.finished;
  notice.seconds = run.seconds;
  notice.failed_step = run.failed_step;
  notice.error = run.error;
  notice.hint = hint;
  notice.outputs = run.output_rows;
  notice.report = run.report;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) {
    notice.host = host;
  }
  if (!notify::wanted(spec.notify->targets, notice)) {
    return;
  }
  net::HttpOptions options;
  options.ca_bundle = spec.notify->ca_bundle;
  options.allow_http = spec.notify->allow_http;
  options.connect_timeout = spec.notify->targets.timeout;
  options.transfer_timeout = spec.notify->targets.timeout;
  auto http = net::make_curl_transport(options);
  for (const auto& problem : notify::send(notice, spec.notify->targets, spec.secrets, *http)) {
    fmt::print(stderr, "hyperpipe: warning: {}\n", problem);
  }
}

} // namespace

void after_run(const pipeline::PipelineSpec& spec, const history::RunRecord& run, const std::string& hint) {
  record(spec, run);
  notify(spec, run, hint);
}

} // namespace hyperpipe::cli
