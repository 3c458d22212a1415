#pragma once
// What a run needs from hyperd and from Tableau, behind two narrow interfaces, so the runner (its
// order, accounting, failure handling and all-or-nothing commit) is unit-tested with fakes
// (runner_test.cpp) and the real parts (engine_work.cpp) stay thin. The runner decides every
// statement; these only carry them out.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/engine.hpp"
#include "pipeline/config/pipeline_spec.hpp"
#include "pipeline/run/plan.hpp"
#include "pipeline/run/run_report.hpp"
#include "pipeline/sources/source_plugin.hpp"
#include "publish/tableau_client.hpp"

namespace hyperpipe::pipeline {

/// One table of an output published with `mode: sync`: its key (empty: replaced whole).
struct ChangeTable {
  TableName name;
  std::vector<std::string> key;
};

/// What changed between the extract last published (`last`) and the new one (`fresh`), as
/// payload files of at most `payload_limit` bytes in `folder`.
struct ChangeSetRequest {
  std::filesystem::path fresh;
  std::filesystem::path last;
  std::vector<ChangeTable> tables;
  std::filesystem::path folder;
  std::uint64_t payload_limit = 100ULL << 20U;
};

struct ChangeSet {
  std::vector<SyncTableReport> tables;
  /// In order; their request ids are the caller's to give. None: nothing changed.
  std::vector<publish::ChangeBatch> batches;
  /// Why the change cannot be sent as changes (a table's columns changed, a table without a
  /// key too large for one payload): the file is published whole instead.
  std::string fallback;
};

/// A planned output table whose source's staged file becomes the output file as it is.
struct DirectTable {
  std::size_t table = 0;           ///< its index in the planned output
  std::filesystem::path staged;    ///< the staged file, given up to the output
  std::string source_table;        ///< its one table, in "public"
};

class RunEngine {
public:
  virtual ~RunEngine() = default;
  /// The file version new extracts get when an output names none.
  virtual int default_file_version() const = 0;
  /// Stages one source into `context.staging_file` (the implementation supplies the engine).
  virtual Result<StageResult> stage(const ConfiguredSource& source, StageContext context) = 0;
  /// A statement inside one staged file (the watermark step, the staged tables' shapes).
  virtual Result<QueryResult> query_staged(const std::filesystem::path& file, std::string_view sql) = 0;
  virtual Result<ExtractInfo> inspect_staged(const std::filesystem::path& file) = 0;
  /// Takes the staged file `base` over as the workspace, where unqualified names resolve; a new,
  /// empty one when `base` does not exist (every source went straight into an output).
  virtual Status open_workspace(const std::filesystem::path& base) = 0;
  /// Attaches a staged file to the workspace, runs `statements(alias)` there, and detaches it.
  virtual Status gather(const std::filesystem::path& staged,
                        const std::function<std::vector<std::string>(const std::string& alias)>& statements) = 0;
  virtual Result<std::uint64_t> execute_in_workspace(std::string_view sql) = 0;
  virtual Result<QueryResult> query_in_workspace(std::string_view sql) = 0;
  /// Writes one planned output from the workspace into a new extract, kept open for
  /// finish_output; `on_table` is told of each table before it is written (for error steps).
  /// With `direct`, that table's staged file becomes the extract, renamed, not copied.
  virtual Result<std::vector<OutputTableReport>> write_output(const PlannedOutput& output,
                                                              const std::function<void(const PlannedTable&)>& on_table,
                                                              const std::optional<DirectTable>& direct) = 0;
  /// Finishes the `index`-th output written as the complete file `staged`, awaiting the commit.
  virtual Status finish_output(std::size_t index, const std::filesystem::path& staged) = 0;
  /// Computes a sync publish's change set (pipeline/run/change_set_sql.hpp). A key that is not
  /// unique or holds NULLs in `fresh` is an error, found before anything is sent.
  virtual Result<ChangeSet> make_change_set(const ChangeSetRequest& request) = 0;
  /// Lets go of the workspace and of every output not finished (their temporary files go): the
  /// run is over, and its scratch folder is removed next, while the run lock is still held.
  virtual void release() = 0;
};

class RunPublisher {
public:
  virtual ~RunPublisher() = default;
  /// Publishes `file` to `target` (find, sign in, publish, sign out). `add_secret` learns the
  /// credential's secret as soon as it is read, so every later message redacts it.
  virtual Result<publish::PublishResult> publish(const PublishSpec& target, const std::filesystem::path& file,
                                                 const std::function<void(const std::string& secret)>& add_secret,
                                                 const std::function<void(std::uint64_t sent, std::uint64_t total)>& on_progress) = 0;
  /// Sends a sync publish's change batches (publish/tableau_client.hpp, send_changes);
  /// `on_batch_done(i)` is told of each confirmed batch before the next is sent.
  virtual Result<publish::SyncOutcome> send_changes(const PublishSpec& target, const publish::SyncExpectation& expected,
                                                    const std::vector<publish::ChangeBatch>& batches,
                                                    const publish::BatchDone& on_batch_done,
                                                    const std::function<void(const std::string& secret)>& add_secret) = 0;
  /// After a failed run: puts a stale-data warning carrying `message` on the data source
  /// `target` names, if it exists (publish/tableau_client.hpp, mark_stale). Says what it did.
  virtual Result<std::string> mark_stale(const PublishSpec& target, const std::string& message,
                                         const std::function<void(const std::string& secret)>& add_secret) = 0;
};

/// The real ones: hyperd through ExtractWriter, and Tableau's REST API through libcurl.
std::unique_ptr<RunEngine> hyperd_run_engine(HyperEngine& engine);
/// `pipeline` names who holds a shared token's session while it publishes.
std::unique_ptr<RunPublisher> rest_run_publisher(const Environment& environment, const std::string& pipeline);

} // namespace hyperpipe::pipeline
