#include "pipeline/run/runner.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <system_error>
#include <thread>

#include "base/quoting.hpp"
#include "pipeline/run/counts.hpp"
#include "pipeline/run/staged_files.hpp"
#include "pipeline/run/sync_publish.hpp"
#include "pipeline/run/watermark.hpp"
#include "pipeline/run/workspace_sql.hpp"
#include "pipeline/state/commit_journal.hpp"
#include "pipeline/state/run_state.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
// How long a failed run may spend putting stale-data warnings on its data sources, in all.
constexpr std::chrono::seconds k_stale_marking_budget{300};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Serialises events from the staging threads, and redacts secrets from their messages.
class SerialObserver {
public:
  SerialObserver(RunObserver& inner, const std::vector<std::string>& secrets) : m_inner(inner), m_secrets(secrets) {}
  void emit(RunEvent event) {
    // Redacted before it is cut, so a cut never leaves part of a secret behind.
    event.message = base::bounded(net::redact(std::move(event.message), m_secrets), 2 * base::k_quote_limit);
    std::lock_guard lock(m_mutex);
    m_inner.on_event(event);
  }

private:
  RunObserver& m_inner;
  const std::vector<std::string>& m_secrets;
  std::mutex m_mutex;
};

struct StagedSource {
  fs::path file;
  StageResult result;
  SourceReport report;
  std::optional<SourceState> new_state;
  /// Set while the source may go straight into an output (Plan::direct_table_of), and kept once
  /// its staged file is found fit (build_workspace): the output's index and its table's.
  std::optional<std::pair<std::size_t, std::size_t>> direct;
};

class Run {
public:
  Run(RunEngine& engine, RunPublisher& publisher, const PipelineSpec& pipeline, const RunOptions& options,
      RunObserver& observer)
      : m_engine(engine), m_publisher(publisher), m_pipeline(pipeline), m_options(options), m_secrets(pipeline.secrets),
        m_events(observer, m_secrets) {}

  RunReport execute() {
    const auto started = Clock::now();
    m_report.pipeline = m_pipeline.name;
    m_report.pipeline_file = m_pipeline.file;
    m_report.started = utc_now();
    auto status = run_all();
    if (!status) {
      fail(status.error());
      mark_published_stale(); // still under the run lock: no next run can publish meanwhile
    } else {
      m_report.succeeded = true;
    }
    m_lock.reset();
    m_report.finished = utc_now();
    m_report.seconds = seconds_since(started);
    return std::move(m_report);
  }

private:
  struct StepError {
    FailedStage stage;
    std::string step;
  };

  // Marks where the run is, so a failure names the step.
  void at(FailedStage stage, std::string step) { m_where = {stage, std::move(step)}; }

  void fail(const Error& error) {
    m_report.succeeded = false;
    m_report.failed_stage = m_where.stage;
    m_report.failed_step = m_where.step;
    m_report.error_kind = error.kind;
    // Bounded: the report goes into the history and webhooks on every failed run.
    std::string message = base::bounded(net::redact(error.message, m_secrets));
    if (!error.statement.empty()) {
      message += fmt::format(" [statement: {}]", base::bounded(net::redact(error.statement, m_secrets)));
    }
    m_report.error = std::move(message);
    m_report.hint = base::bounded(net::redact(error.hint, m_secrets));
    m_events.emit({RunEvent::Kind::failed, m_where.step, 0, 0, 0, m_report.error});
  }

  Status run_all() {
    at(FailedStage::configuration, "plan");
    HP_ASSIGN_OR_RETURN(m_plan, make_plan(m_pipeline, m_options.plan));
    at(FailedStage::engine, "state folder");
    std::error_code ec;
    fs::create_directories(m_pipeline.state_dir, ec);
    if (ec) {
      return make_error(ErrorKind::io, fmt::format("cannot create the state folder {}: {}", m_pipeline.state_dir.string(),
                                                   ec.message()));
    }
    auto lock = RunLock::acquire(run_lock_file_of(m_pipeline), fmt::format("pipeline \"{}\" is already running", m_pipeline.name),
                                 "wait for it to finish; two runs of one pipeline would overwrite each other's outputs");
    if (!lock) {
      // Busy only when another process holds it; a lock file that cannot be opened is a failure.
      at(lock.error().kind == ErrorKind::already_exists ? FailedStage::busy : FailedStage::engine, "run lock");
      return lock.error();
    }
    // Held until the report is complete, failure warnings included (execute()).
    m_lock.emplace(std::move(*lock));
    at(FailedStage::engine, "state file");
    HP_TRY(recover_interrupted_commit());
    HP_ASSIGN_OR_RETURN(m_state, read_run_state(state_file_of(m_pipeline)));
    m_work_dir = m_pipeline.state_dir / (m_pipeline.name + ".work");
    fs::remove_all(m_work_dir, ec); // a killed run's leftovers (we hold the lock)
    fs::create_directories(m_work_dir, ec);
    // Removed while the lock is still held, so it never deletes the next run's folder.
    struct WorkDirCleanup {
      Run& run;
      ~WorkDirCleanup() {
        run.m_engine.release(); // hyperd lets go of the workspace before its folder goes
        run.cleanup_work_dir();
      }
    } cleanup{*this};
    if (ec) {
      return make_error(ErrorKind::io, fmt::format("cannot create {}: {}", m_work_dir.string(), ec.message()));
    }
    HP_TRY(stage_sources());
    HP_TRY(build_workspace());
    HP_TRY(run_transforms());
    HP_TRY(write_outputs());
    HP_TRY(commit_all());
    return publish_outputs();
  }

  // Every output and the state file become visible together, or none of them, across a crash
  // at any instant (pipeline/state/commit_journal.hpp): each is finished beside its target, then
  // the journal is written and the renames follow.
  Status commit_all() {
    CommitRequest request{commit_journal_of(m_pipeline), m_pipeline.name, {}, m_options.after_commit_step};
    const auto discard_staged = [&] {
      for (const auto& file : request.files) {
        std::error_code ec;
        fs::remove(file.staged, ec);
      }
    };
    for (std::size_t i = 0; i < m_plan.outputs.size(); ++i) {
      const fs::path& target = m_plan.outputs[i].spec->file;
      at(FailedStage::output, fmt::format("output {}", m_plan.outputs[i].spec->name));
      const fs::path staged = staged_file_of(target, m_pipeline);
      if (auto finished = m_engine.finish_output(i, staged); !finished) {
        discard_staged();
        return finished;
      }
      request.files.push_back({staged, target});
    }
    at(FailedStage::output, "state");
    RunState next = m_state;
    next.last_success = utc_now();
    for (const auto& staged : m_staged) {
      if (staged.new_state) {
        next.sources[staged.report.name] = *staged.new_state;
      }
    }
    const fs::path state_file = state_file_of(m_pipeline);
    const fs::path staged_state = staged_file_of(state_file, m_pipeline);
    if (auto saved = write_run_state(staged_state, next); !saved) {
      discard_staged();
      return saved;
    }
    request.files.push_back({staged_state, state_file}); // last: the state follows its outputs
    at(FailedStage::output, "commit outputs");
    HP_TRY(commit_files(request));
    for (std::size_t i = 0; i < m_plan.outputs.size(); ++i) {
      std::error_code ec;
      const fs::path& target = m_plan.outputs[i].spec->file;
      m_report.outputs[i].bytes = fs::file_size(target, ec);
      m_events.emit({RunEvent::Kind::note, fmt::format("output {}", m_plan.outputs[i].spec->name), 0,
                     m_report.outputs[i].bytes, 0, fmt::format("committed {}", target.string())});
    }
    return {};
  }

  // A run killed while committing left a journal: finish that commit first (it holds the outputs
  // and the state of one run, so the next watermark matches the extracts). Files staged by a run
  // killed before its commit point are leftovers, removed.
  Status recover_interrupted_commit() {
    HP_ASSIGN_OR_RETURN(const Recovery recovery, recover_commit(commit_journal_of(m_pipeline)));
    if (recovery.found) {
      m_report.notes.push_back(fmt::format("the previous run was stopped while committing its {} files; its commit was {}",
                                           recovery.files, recovery.completed ? "completed" : "undone"));
      m_events.emit({RunEvent::Kind::note, "recover", 0, 0, 0, m_report.notes.back()});
    }
    std::vector<fs::path> leftovers{staged_file_of(state_file_of(m_pipeline), m_pipeline)};
    for (const auto& output : m_pipeline.outputs) {
      leftovers.push_back(staged_file_of(output.file, m_pipeline));
      leftovers.push_back(previous_of(output.file, m_pipeline.name));
    }
    for (const auto& leftover : leftovers) {
      std::error_code ec;
      fs::remove(leftover, ec);
    }
    return {};
  }

  Status stage_one(const SourceSpec& source, StagedSource& staged) {
    const auto started = Clock::now();
    const std::string step = fmt::format("source {}", source.name);
    m_events.emit({RunEvent::Kind::started, step, 0, 0, 0, source.source->describe()});
    StageContext context;
    context.staging_file = m_work_dir / (source.name + ".hyper");
    context.table = source.name;
    context.work_dir = m_work_dir;
    context.incremental = source.incremental_column.has_value();
    context.incremental_column = source.incremental_column;
    if (const auto direct = m_plan.direct_table_of(source.name)) {
      // Staged in the output's own file version, so that its file can become the output.
      const auto& [output, table] = *direct;
      context.file_version = output->spec->file_version.value_or(m_engine.default_file_version());
      staged.direct = std::pair{static_cast<std::size_t>(output - m_plan.outputs.data()),
                                static_cast<std::size_t>(table - output->tables.data())};
    }
    const auto previous = m_state.sources.find(source.name);
    if (previous != m_state.sources.end()) {
      if (source.incremental_column && !previous->second.watermark.empty()) {
        context.watermark = previous->second.watermark;
        staged.report.watermark_before = previous->second.watermark;
      }
      for (const auto& table : previous->second.tables) {
        TableDefinition definition{TableName{"public", table.name}, {}, {}, {}};
        for (const auto& [name, type_text] : table.columns) {
          if (auto type = SqlType::parse(type_text)) {
            definition.add(name, *type);
          }
        }
        context.previous_tables.push_back(std::move(definition));
      }
    }
    if (source.keep_rejects) {
      context.reject_file = m_pipeline.state_dir / fmt::format("{}.{}.rejects.csv", m_pipeline.name, source.name);
    }
    context.on_progress = [&](std::uint64_t rows, std::uint64_t bytes, std::uint64_t total) {
      m_events.emit({RunEvent::Kind::progress, step, rows, bytes, seconds_since(started), {}, total});
    };
    HP_ASSIGN_OR_RETURN(staged.result, m_engine.stage(*source.source, context));
    staged.file = context.staging_file;
    SourceReport& report = staged.report;
    report.name = source.name;
    report.type = source.type;
    report.rows_read = staged.result.rows_read;
    report.rows_loaded = staged.result.rows_loaded;
    report.rows_rejected = staged.result.rows_rejected;
    report.bytes = staged.result.bytes;
    report.tables = staged.result.tables;
    report.notes = staged.result.notes;
    if (staged.result.rows_rejected > 0 && context.reject_file) {
      report.notes.push_back(fmt::format("rejected rows and their reasons: {}", context.reject_file->string()));
    }
    if (source.incremental_column) {
      HP_TRY(apply_watermark(source, staged, context.watermark));
    }
    HP_TRY(record_shape(staged));
    report.seconds = seconds_since(started);
    m_events.emit({RunEvent::Kind::finished, step, report.rows_loaded, report.bytes, report.seconds,
                   fmt::format("{} read, {} loaded, {} rejected{}", report.rows_read, report.rows_loaded,
                               report.rows_rejected,
                               report.rows_skipped > 0 ? fmt::format(", {} at or below the watermark", report.rows_skipped)
                                                       : "")});
    return {};
  }

  // pipeline/run/watermark.hpp: rows earlier runs loaded are dropped and counted.
  Status apply_watermark(const SourceSpec& source, StagedSource& staged, const std::optional<std::string>& watermark) {
    WatermarkInput input{source.name, *source.incremental_column, watermark, {}, staged.result.tables};
    if (const auto previous = m_state.sources.find(source.name); previous != m_state.sources.end()) {
      input.previous_type = previous->second.type;
    }
    const StagedDatabase database{[&](std::string_view sql) { return m_engine.query_staged(staged.file, sql); },
                                  [&] { return m_engine.inspect_staged(staged.file); }};
    HP_ASSIGN_OR_RETURN(const WatermarkOutcome outcome, pipeline::apply_watermark(input, database));
    staged.report.rows_skipped = outcome.skipped;
    staged.report.rows_loaded -= std::min(outcome.skipped, staged.report.rows_loaded);
    if (outcome.watermark_after) {
      staged.new_state = SourceState{*outcome.watermark_after, outcome.type, {}};
      staged.report.watermark_after = outcome.watermark_after;
    }
    if (outcome.orphans_dropped > 0) {
      staged.report.notes.push_back(
          fmt::format("{} child-table rows of records at or below the watermark were dropped too", outcome.orphans_dropped));
    }
    return {};
  }

  // The staged tables' columns, kept in the state so an API with nothing new next time still
  // yields tables of the same shape (transforms reading a child table keep working).
  Status record_shape(StagedSource& staged) {
    if (!staged.new_state) {
      staged.new_state = SourceState{};
    }
    for (const auto& name : staged.result.tables) {
      HP_ASSIGN_OR_RETURN(auto shape, m_engine.query_staged(staged.file, workspace_sql::shape(name)));
      SourceState::Table table{name, {}};
      for (const auto& column : shape.columns) {
        if (column.type) {
          table.columns.emplace_back(column.name, column.type->sql());
        }
      }
      staged.new_state->tables.push_back(std::move(table));
    }
    return {};
  }

  Status stage_sources() {
    const std::size_t count = m_plan.sources.size();
    m_staged.resize(count);
    std::vector<std::optional<Error>> errors(count);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    const auto worker = [&] {
      for (std::size_t i = next++; i < count && !stop; i = next++) {
        auto staged = stage_one(*m_plan.sources[i], m_staged[i]);
        if (!staged) {
          errors[i] = std::move(staged).error();
          stop = true;
        }
      }
    };
    const auto threads = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, m_pipeline.parallel_sources)), count);
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) {
      pool.emplace_back(worker);
    }
    worker();
    for (auto& thread : pool) {
      thread.join();
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (errors[i]) {
        at(FailedStage::source, fmt::format("source {}", m_plan.sources[i]->name));
        return *errors[i];
      }
      m_report.sources.push_back(m_staged[i].report);
    }
    return {};
  }

  // A source staged as one table of its output's file version, nullable and without keys or
  // collations (what a copy through the workspace would make of it), becomes that output.
  Status confirm_direct(StagedSource& staged) {
    HP_ASSIGN_OR_RETURN(const ExtractInfo info, m_engine.inspect_staged(staged.file));
    const PlannedOutput& output = m_plan.outputs.at(staged.direct->first);
    const int version = output.spec->file_version.value_or(m_engine.default_file_version());
    if (staged.result.tables.size() != 1 || !fits_as_output(info, version, staged.result.tables[0])) {
      staged.direct.reset();
    }
    return {};
  }

  // The largest staged file of the newest version becomes the workspace (staged_files.hpp); the
  // other sources' tables are copied into it. Sources going straight into an output stay out.
  Status build_workspace() {
    at(FailedStage::engine, "workspace");
    std::vector<WorkspaceCandidate> files;
    for (auto& staged : m_staged) {
      if (staged.direct) {
        HP_TRY(confirm_direct(staged));
      }
      std::error_code ec;
      const auto bytes = fs::file_size(staged.file, ec);
      files.push_back({ec ? std::nullopt : std::optional<std::uintmax_t>(bytes), staged.result.file_version,
                       staged.direct.has_value()});
    }
    const std::optional<std::size_t> base = workspace_base(files, k_staging_file_version);
    // Every source went straight into an output, or those left were staged for an output's older
    // file version and turned out unfit for it: a new workspace, which computes with 128-bit
    // numerics like every staged file used to.
    HP_TRY(m_engine.open_workspace(base ? m_staged[*base].file : m_work_dir / "hp-workspace.hyper"));
    for (std::size_t i = 0; i < m_staged.size(); ++i) {
      const auto& staged = m_staged[i];
      std::error_code ec;
      if (i == base || staged.direct) {
        continue; // the workspace now, or an output's file later
      }
      at(FailedStage::source, fmt::format("source {}", staged.report.name));
      HP_TRY(m_engine.gather(staged.file, [&](const std::string& alias) {
        std::vector<std::string> statements;
        for (const auto& table : staged.result.tables) {
          statements.push_back(workspace_sql::copy_staged_table(alias, table));
        }
        return statements;
      }));
      fs::remove(staged.file, ec); // the workspace has the rows now
    }
    return {};
  }

  Status run_transforms() {
    for (const auto& transform : m_plan.transforms) {
      const auto started = Clock::now();
      at(FailedStage::transform, fmt::format("transform {}", transform.spec->name));
      m_events.emit({RunEvent::Kind::started, m_where.step, 0, 0, 0, {}});
      HP_TRY(m_engine.execute_in_workspace(transform.sql));
      HP_ASSIGN_OR_RETURN(auto counted, m_engine.query_in_workspace(transform.count_sql));
      HP_ASSIGN_OR_RETURN(const std::uint64_t rows, single_count(counted, m_where.step));
      TransformReport report{transform.spec->name, rows, seconds_since(started)};
      m_events.emit({RunEvent::Kind::finished, m_where.step, report.rows, 0, report.seconds,
                     fmt::format("{} rows", report.rows)});
      m_report.transforms.push_back(report);
    }
    return {};
  }

  Status write_outputs() {
    for (const auto& output : m_plan.outputs) {
      const auto started = Clock::now();
      at(FailedStage::output, fmt::format("output {}", output.spec->name));
      m_events.emit({RunEvent::Kind::started, m_where.step, 0, 0, 0, output.spec->file.string()});
      std::error_code ec;
      fs::create_directories(output.spec->file.parent_path(), ec);
      OutputReport report{output.spec->name, output.spec->file, {}, 0, 0};
      std::optional<DirectTable> direct;
      std::string direct_note;
      const auto index = static_cast<std::size_t>(&output - m_plan.outputs.data());
      for (const auto& staged : m_staged) {
        if (staged.direct && staged.direct->first == index) {
          direct = DirectTable{staged.direct->second, staged.file, staged.result.tables.at(0)};
          direct_note = fmt::format("output {}: table {} is source {} as it was staged (no rows copied)", output.spec->name,
                                    output.tables.at(direct->table).spec->name.quoted(), staged.report.name);
        }
      }
      HP_ASSIGN_OR_RETURN(report.tables, m_engine.write_output(
                                             output,
                                             [&](const PlannedTable& table) {
                                               at(FailedStage::output, fmt::format("output {} table {}", output.spec->name,
                                                                                   table.spec->name.quoted()));
                                             },
                                             direct));
      if (!direct_note.empty()) {
        m_report.notes.push_back(std::move(direct_note));
      }
      std::uint64_t rows = 0;
      for (const auto& table : report.tables) {
        rows += table.rows_total;
      }
      report.seconds = seconds_since(started);
      m_events.emit({RunEvent::Kind::finished, fmt::format("output {}", output.spec->name), rows, 0, report.seconds,
                     fmt::format("{} table{}, {} rows", report.tables.size(), report.tables.size() == 1 ? "" : "s", rows)});
      m_report.outputs.push_back(std::move(report));
    }
    return {};
  }

  Status publish_outputs() {
    for (const auto& planned : m_plan.publishes) {
      const auto started = Clock::now();
      const PublishSpec& target = *planned.target;
      at(FailedStage::publish, fmt::format("publish {}", planned.output->name));
      m_events.emit({RunEvent::Kind::started, m_where.step, 0, 0, 0,
                     fmt::format("{} as \"{}\" to {}", planned.output->file.filename().string(), target.name, target.server)});
      const auto on_progress = [&](std::uint64_t sent, std::uint64_t total) {
        m_events.emit({RunEvent::Kind::progress, m_where.step, 0, sent, seconds_since(started), {}, total});
      };
      const auto add_secret = [&](const std::string& secret) { m_secrets.push_back(secret); };
      publish::PublishResult published;
      std::optional<SyncReport> sync;
      if (target.mode == publish::PublishMode::sync) {
        const auto index = static_cast<std::size_t>(planned.target - planned.output->publish.data());
        HP_ASSIGN_OR_RETURN(auto synced, sync_publish({m_engine, m_publisher, m_pipeline, planned, index, m_report.started,
                                                       add_secret, on_progress}));
        published = std::move(synced.published);
        sync = std::move(synced.report);
        for (const auto& note : synced.notes) {
          m_report.notes.push_back(fmt::format("publish {}: {}", planned.output->name, note));
        }
      } else {
        HP_ASSIGN_OR_RETURN(published, m_publisher.publish(target, planned.output->file, add_secret, on_progress));
      }
      PublishReport report{planned.output->name, target.server, target.site,
                           target.project.empty() ? "Default" : target.project, target.name, std::string(publish::publish_mode_name(target.mode)),
                           published.datasource_id,
                           published.webpage_url.empty() ? published.resource_url : published.webpage_url,
                           seconds_since(started), std::move(sync)};
      if (!published.sign_out_problem.empty()) {
        m_report.notes.push_back(fmt::format("publish {}: sign-out failed: {}", planned.output->name, published.sign_out_problem));
      }
      for (const auto& note : published.notes) {
        m_report.notes.push_back(net::redact(fmt::format("publish {}: {}", planned.output->name, note), m_secrets));
      }
      m_events.emit({RunEvent::Kind::finished, m_where.step, 0, 0, report.seconds,
                     fmt::format("data source {} ({})", report.datasource_id, report.url)});
      m_report.publishes.push_back(std::move(report));
    }
    return {};
  }

  // A failed run leaves the published data sources as the last success made them: say so where
  // their readers look, with a stale-data warning on each one this run did not publish (the next
  // success takes it off). Not when another run of this pipeline is busy, or nothing was planned.
  void mark_published_stale() {
    if (m_report.failed_stage == FailedStage::busy || !m_lock) {
      return;
    }
    // The step and the time only: the warning is shown to everyone who opens the data source,
    // and an error message may name hosts, paths or SQL (those are in the run report).
    const std::string message = base::bounded(fmt::format(
        "the run of pipeline \"{}\" started {} failed at {} ({}). The data shown is from the last successful refresh.",
        m_pipeline.name, m_report.started, m_report.failed_step, to_string(m_report.error_kind)));
    // Bounded as a whole: a token another process holds makes each target wait for its turn.
    const auto deadline = Clock::now() + k_stale_marking_budget;
    for (std::size_t i = 0; i < m_plan.publishes.size(); ++i) {
      const auto& planned = m_plan.publishes[i];
      if (!planned.target->warn_on_failure || i < m_report.publishes.size()) {
        continue; // published in this run (targets are published in order), or not wanted
      }
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
      if (left <= std::chrono::seconds(0)) {
        m_report.notes.push_back(fmt::format("publish {}: no stale-data warning put on \"{}\": the {} s for warnings were used up",
                                             planned.output->name, planned.target->name, k_stale_marking_budget.count()));
        continue;
      }
      PublishSpec target = *planned.target;
      target.session_wait = std::min(target.session_wait, left);
      auto marked = m_publisher.mark_stale(target, message, [&](const std::string& secret) { m_secrets.push_back(secret); });
      m_report.notes.push_back(net::redact(
          marked ? fmt::format("publish {}: {}", planned.output->name, *marked)
                 : fmt::format("publish {}: the stale-data warning could not be put on \"{}\": {}", planned.output->name,
                               planned.target->name,
                               base::bounded(marked.error().hint.empty()
                                                 ? marked.error().message
                                                 : fmt::format("{} ({})", marked.error().message, marked.error().hint))),
          m_secrets));
    }
  }

  void cleanup_work_dir() {
    if (!m_work_dir.empty()) {
      std::error_code ec;
      fs::remove_all(m_work_dir, ec);
    }
  }

  RunEngine& m_engine;
  RunPublisher& m_publisher;
  const PipelineSpec& m_pipeline;
  const RunOptions& m_options;
  std::vector<std::string> m_secrets; ///< the pipeline's, then publish credentials as they are read
  SerialObserver m_events;
  RunReport m_report;
  Plan m_plan;
  RunState m_state;
  fs::path m_work_dir;
  std::vector<StagedSource> m_staged;
  StepError m_where{FailedStage::configuration, "plan"};
  std::optional<RunLock> m_lock; ///< this pipeline's run lock, from the state file's first read to the report
};

} // namespace

fs::path state_file_of(const PipelineSpec& pipeline) { return pipeline.state_dir / (pipeline.name + ".state.json"); }
fs::path report_file_of(const PipelineSpec& pipeline) { return pipeline.state_dir / (pipeline.name + ".last-run.json"); }
fs::path history_file_of(const PipelineSpec& pipeline) { return pipeline.state_dir / "history.sqlite"; }

fs::path run_lock_file_of(const PipelineSpec& pipeline) { return pipeline.state_dir / (pipeline.name + ".lock"); }
fs::path commit_journal_of(const PipelineSpec& pipeline) { return pipeline.state_dir / (pipeline.name + ".commit.json"); }
fs::path staged_file_of(const fs::path& target, const PipelineSpec& pipeline) {
  return fs::path(target.string() + fmt::format(".{}.pending", pipeline.name));
}

RunReport run_pipeline(RunEngine& engine, RunPublisher& publisher, const PipelineSpec& pipeline, const RunOptions& options,
                       RunObserver& observer) {
  return Run(engine, publisher, pipeline, options, observer).execute();
}

RunReport run_pipeline(HyperEngine& engine, const PipelineSpec& pipeline, const RunOptions& options, RunObserver& observer) {
  const auto hyperd = hyperd_run_engine(engine);
  const auto tableau = rest_run_publisher(options.environment, pipeline.name);
  return run_pipeline(*hyperd, *tableau, pipeline, options, observer);
}

} // namespace hyperpipe::pipeline
