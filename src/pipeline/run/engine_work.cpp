// The real RunEngine (hyperd, through ExtractWriter) and RunPublisher (Tableau's REST API, through
// libcurl). Thin on purpose: the runner decides what runs, these carry it out.
#include <fmt/format.h>

#include <optional>

#include "hyperpipe/extract.hpp"
#include "net/http.hpp"
#include "pipeline/run/change_set.hpp"
#include "pipeline/run/output_tables.hpp"
#include "pipeline/run/run_work.hpp"
#include "pipeline/run/workspace_sql.hpp"
#include "publish/credentials.hpp"
#include "publish/session_lock.hpp"
#include "publish/tableau_client.hpp"

namespace hyperpipe::pipeline {
namespace {

class HyperdRunEngine final : public RunEngine {
public:
  explicit HyperdRunEngine(HyperEngine& engine) : m_engine(engine) {}

  int default_file_version() const override { return m_engine.default_file_version(); }

  Result<StageResult> stage(const ConfiguredSource& source, StageContext context) override {
    context.engine = &m_engine;
    return source.stage(context);
  }

  Result<QueryResult> query_staged(const std::filesystem::path& file, std::string_view sql) override {
    return m_engine.query(file, sql);
  }

  Result<ExtractInfo> inspect_staged(const std::filesystem::path& file) override { return m_engine.inspect(file); }

  Status open_workspace(const std::filesystem::path& base) override {
    // The staged file is the run's own: renamed into the workspace, not copied.
    std::error_code ec;
    auto opened = std::filesystem::exists(base, ec) ? ExtractWriter::adopt(m_engine, base, base)
                                                    : ExtractWriter::open(m_engine, base, {CreateMode::replace, k_staging_file_version});
    HP_ASSIGN_OR_RETURN(auto workspace, std::move(opened));
    HP_TRY(workspace.resolve_unqualified_in(""));
    m_workspace.emplace(std::move(workspace));
    return {};
  }

  Status gather(const std::filesystem::path& staged,
                const std::function<std::vector<std::string>(const std::string& alias)>& statements) override {
    HP_ASSIGN_OR_RETURN(std::string alias, m_workspace->attach(staged));
    for (const auto& statement : statements(alias)) {
      HP_TRY(m_workspace->execute(statement));
    }
    HP_TRY(m_workspace->execute(workspace_sql::detach(alias)));
    return {};
  }

  Result<std::uint64_t> execute_in_workspace(std::string_view sql) override { return m_workspace->execute(sql); }

  Result<QueryResult> query_in_workspace(std::string_view sql) override { return m_workspace->query(sql); }

  Result<std::vector<OutputTableReport>> write_output(const PlannedOutput& output,
                                                      const std::function<void(const PlannedTable&)>& on_table,
                                                      const std::optional<DirectTable>& direct) override {
    auto opened = direct ? ExtractWriter::adopt(m_engine, direct->staged, output.spec->file)
                         : ExtractWriter::open(m_engine, output.spec->file, {output.mode, output.spec->file_version});
    HP_ASSIGN_OR_RETURN(auto writer, std::move(opened));
    std::vector<OutputTableReport> reports(output.tables.size());
    if (direct) {
      const PlannedTable& table = output.tables.at(direct->table);
      on_table(table);
      HP_TRY(writer.rename_table(TableName{"public", direct->source_table}, table.spec->name));
      HP_TRY(report_direct_table(writer, table, reports[direct->table]));
    }
    HP_ASSIGN_OR_RETURN(std::string alias, writer.attach(m_workspace->working_file()));
    HP_TRY(writer.resolve_unqualified_in(alias));
    for (std::size_t i = 0; i < output.tables.size(); ++i) {
      if (direct && direct->table == i) {
        continue;
      }
      on_table(output.tables[i]);
      HP_TRY(write_output_table(writer, output.tables[i], reports[i]));
    }
    HP_TRY(writer.execute(workspace_sql::detach(alias)));
    m_outputs.push_back(std::move(writer));
    return reports;
  }

  Status finish_output(std::size_t index, const std::filesystem::path& staged) override {
    return m_outputs.at(index).commit_as(staged);
  }

  Result<ChangeSet> make_change_set(const ChangeSetRequest& request) override {
    return compute_change_set(m_engine, request);
  }

  void release() override {
    m_outputs.clear();
    m_workspace.reset();
  }

private:
  HyperEngine& m_engine;
  std::optional<ExtractWriter> m_workspace;
  std::vector<ExtractWriter> m_outputs; ///< written, awaiting the commit
};

class RestRunPublisher final : public RunPublisher {
public:
  RestRunPublisher(const Environment& environment, std::string pipeline)
      : m_environment(environment), m_pipeline(std::move(pipeline)) {}

  Result<publish::PublishResult> publish(const PublishSpec& target, const std::filesystem::path& file,
                                         const std::function<void(const std::string& secret)>& add_secret,
                                         const std::function<void(std::uint64_t sent, std::uint64_t total)>& on_progress) override {
    HP_ASSIGN_OR_RETURN(auto credentials, publish::load_credentials(target.credentials_file, m_environment));
    add_secret(credentials.secret);
    const auto session_target = with_session(target);
    auto transport = net::make_curl_transport(target.http());
    return publish::publish_file(*transport, credentials, session_target, file,
                                 on_progress);
  }

  Result<publish::SyncOutcome> send_changes(const PublishSpec& target, const publish::SyncExpectation& expected,
                                            const std::vector<publish::ChangeBatch>& batches,
                                            const publish::BatchDone& on_batch_done,
                                            const std::function<void(const std::string& secret)>& add_secret) override {
    HP_ASSIGN_OR_RETURN(auto credentials, publish::load_credentials(target.credentials_file, m_environment));
    add_secret(credentials.secret);
    auto transport = net::make_curl_transport(target.http());
    return publish::send_changes(*transport, credentials, with_session(target), expected, batches, on_batch_done);
  }

  Result<std::string> mark_stale(const PublishSpec& target, const std::string& message,
                                 const std::function<void(const std::string& secret)>& add_secret) override {
    HP_ASSIGN_OR_RETURN(auto credentials, publish::load_credentials(target.credentials_file, m_environment));
    add_secret(credentials.secret);
    auto transport = net::make_curl_transport(target.http());
    return publish::mark_stale(*transport, credentials, with_session(target), message);
  }

private:
  // Who holds a shared token's session, and where the per-user session locks are.
  publish::PublishTarget with_session(const PublishSpec& target) const {
    publish::PublishTarget session_target = target;
    session_target.holder = fmt::format("pipeline \"{}\"", m_pipeline);
    session_target.session_lock_dir = publish::default_session_lock_dir(m_environment);
    return session_target;
  }

  const Environment& m_environment;
  std::string m_pipeline;
};

} // namespace

std::unique_ptr<RunEngine> hyperd_run_engine(HyperEngine& engine) { return std::make_unique<HyperdRunEngine>(engine); }

std::unique_ptr<RunPublisher> rest_run_publisher(const Environment& environment, const std::string& pipeline) {
  return std::make_unique<RestRunPublisher>(environment, pipeline);
}

} // namespace hyperpipe::pipeline
