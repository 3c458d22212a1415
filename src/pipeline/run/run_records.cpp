#include "pipeline/run/run_records.hpp"

#include <unistd.h>

#include <fmt/format.h>


#include "history/run_history.hpp"
#include "net/http.hpp"
#include "notify/notifier.hpp"
#include "pipeline/run/runner.hpp"

namespace hyperpipe::pipeline {
namespace {

using OutputRows = std::vector<std::pair<std::string, std::uint64_t>>;

// Rows in each output after the run (all its tables).
OutputRows output_rows(const RunReport& report) {
  OutputRows rows;
  for (const auto& output : report.outputs) {
    std::uint64_t total = 0;
    for (const auto& table : output.tables) {
      total += table.rows_total;
    }
    rows.emplace_back(output.name, total);
  }
  return rows;
}

void record(const PipelineSpec& spec, const RunReport& report, const OutputRows& outputs,
            const std::filesystem::path& report_file, const std::string& trigger, std::vector<std::string>& warnings) {
  history::RunRecord run;
  run.pipeline = spec.name;
  run.started = report.started;
  run.finished = report.finished;
  run.status = report.succeeded ? "succeeded" : "failed";
  run.trigger = trigger;
  run.seconds = report.seconds;
  std::vector<std::string> texts;
  for (const auto& [name, rows] : outputs) {
    run.rows += rows;
    texts.push_back(fmt::format("{}: {} rows", name, rows));
  }
  run.outputs = fmt::format("{}", fmt::join(texts, ", "));
  run.report = report_file.string();
  run.error = report.succeeded ? "" : fmt::format("{}: {}", report.failed_step, report.error);
  std::error_code ec;
  std::filesystem::create_directories(spec.state_dir, ec);
  auto history = history::RunHistory::open(history_file_of(spec));
  Status recorded = history ? history->record(run, static_cast<std::size_t>(spec.history_runs)) : Status(history.error());
  if (!recorded) {
    warnings.push_back(net::redact(fmt::format("could not record the run in the history: {}", recorded.error().describe()),
                                   spec.secrets));
  }
}

void notify(const PipelineSpec& spec, const RunReport& report, const OutputRows& outputs,
            const std::filesystem::path& report_file, const std::string& trigger, std::vector<std::string>& warnings) {
  if (!spec.notify) {
    return;
  }
  notify::Notice notice;
  notice.pipeline = spec.name;
  notice.status = report.succeeded ? "succeeded" : "failed";
  notice.trigger = trigger;
  notice.started = report.started;
  notice.finished = report.finished;
  notice.seconds = report.seconds;
  if (!report.succeeded) {
    notice.failed_step = report.failed_step;
    notice.error = fmt::format("{}: {}", report.failed_step, report.error);
    notice.hint = report.hint;
  }
  notice.outputs = outputs;
  notice.report = report_file.string();
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
  options.idle_timeout = spec.notify->targets.timeout;
  options.transfer_timeout = spec.notify->targets.timeout;
  auto http = net::make_curl_transport(options);
  for (auto& problem : notify::send(notice, spec.notify->targets, spec.secrets, *http)) {
    warnings.push_back(std::move(problem));
  }
}

} // namespace

std::vector<std::string> record_run(const PipelineSpec& spec, const RunReport& report,
                                    const std::filesystem::path& report_file, const std::string& trigger) {
  std::vector<std::string> warnings;
  const OutputRows outputs = output_rows(report);
  record(spec, report, outputs, report_file, trigger, warnings);
  notify(spec, report, outputs, report_file, trigger, warnings);
  return warnings;
}

} // namespace hyperpipe::pipeline
