#include "pipeline/run/sync_publish.hpp"

#include <fmt/format.h>

#include "base/stable_hash.hpp"
#include "pipeline/state/run_state.hpp"
#include "pipeline/state/sync_state.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

// A copy made beside its target and renamed over it: the target is the old copy or the new one.
Status copy_atomically(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  const fs::path partial = fs::path(to.string() + ".partial");
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec);
  if (!ec) {
    fs::rename(partial, to, ec);
  }
  if (ec) {
    fs::remove(partial, ec);
    return make_error(ErrorKind::io, fmt::format("cannot keep a copy of {} as {}: {}", from.string(), to.string(), ec.message()));
  }
  return {};
}

// A snapshot of a committed output: a hard link where the state folder shares its file system
// (outputs are replaced by rename, never written in place, so the linked file never changes), a
// copy elsewhere.
Status snapshot(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::remove(to, ec);
  fs::create_hard_link(from, to, ec);
  return ec ? copy_atomically(from, to) : Status();
}

// The pending snapshot becomes "last published": a rename within one folder tree.
Status advance(const fs::path& next, const fs::path& copy) {
  std::error_code ec;
  fs::rename(next, copy, ec);
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("cannot keep {} as {}: {}", next.string(), copy.string(), ec.message()));
  }
  return {};
}

class SyncRun {
public:
  explicit SyncRun(const SyncPublishContext& context)
      : m_context(context), m_target(*context.planned.target), m_output(*context.planned.output),
        m_key(fmt::format("{}#{}", m_output.name, context.target_index)), m_state_file(sync_state_file_of(context.pipeline)),
        m_folder(sync_folder_of(context.pipeline, m_output.name, context.target_index)), m_copy(m_folder / "published.hyper"),
        m_pending_folder(m_folder / "pending") {}

  Result<SyncPublishOutcome> run() {
    HP_ASSIGN_OR_RETURN(m_state, read_sync_state(m_state_file));
    SyncTarget& kept = record();
    if (kept.server != m_target.server || kept.site != m_target.site || kept.project != m_target.project ||
        kept.name != m_target.name) {
      // Another data source than the one kept in step: start over with it.
      kept = SyncTarget{m_target.server, m_target.site, m_target.project, m_target.name, {}, {}, std::nullopt};
    }
    std::error_code ec;
    m_outcome.report.bytes_full_publish = fs::file_size(m_output.file, ec);
    std::string whole_because;
    if (kept.pending) {
      HP_ASSIGN_OR_RETURN(whole_because, finish_pending());
    }
    const bool comparable = whole_because.empty() && !record().datasource_id.empty() && fs::exists(m_copy, ec);
    if (!comparable && whole_because.empty()) {
      whole_because = "there is no copy of what was last published yet (the first sync publish, or the state folder was reset)";
    }
    // Computed even for a whole publish: it checks every key first.
    HP_ASSIGN_OR_RETURN(whole_because, send_this_run(comparable, whole_because));
    if (whole_because.empty()) {
      return std::move(m_outcome);
    }
    HP_TRY(publish_whole(whole_because));
    return std::move(m_outcome);
  }

private:
  SyncTarget& record() { return m_state.targets[m_key]; }
  Status save() { return write_sync_state(m_state_file, m_state); }

  void clear_pending() {
    record().pending.reset();
    std::error_code ec;
    fs::remove_all(m_pending_folder, ec);
  }

  // A batch whose job failed applied nothing: its pending batches go (the next run computes the
  // change again, under new request ids, since the server keeps a failed id as used). Any other
  // failure leaves what was sent unknown: they stay, to be sent again under the same ids.
  Result<publish::SyncOutcome> send(const publish::SyncExpectation& expected, const std::vector<publish::ChangeBatch>& batches,
                                    std::size_t first) {
    auto sent = m_context.publisher.send_changes(
        m_target, expected, batches,
        [&](std::size_t done) {
          record().pending->done = first + done + 1;
          return save();
        },
        m_context.add_secret);
    if (!sent && sent.error().remote_code == publish::k_job_failed) {
      clear_pending();
      (void)save();
    }
    return sent;
  }

  // An earlier run's batches not all confirmed: the same payloads and ids again, then its copy.
  Result<std::string> finish_pending() {
    SyncTarget::Pending& pending = *record().pending;
    const std::vector<publish::ChangeBatch> remaining(pending.batches.begin() + static_cast<std::ptrdiff_t>(pending.done),
                                                      pending.batches.end());
    // Batches of it may have been applied already: the server's updatedAt cannot be expected.
    HP_ASSIGN_OR_RETURN(auto sent, send({record().datasource_id, ""}, remaining, pending.done));
    const std::string started = pending.run_started;
    const std::size_t total = pending.batches.size();
    if (!sent.fallback.empty()) {
      clear_pending();
      HP_TRY(save());
      return fmt::format("the unconfirmed changes of the run started {} could not be sent ({})", started, sent.fallback);
    }
    HP_TRY(advance(pending.next, m_copy));
    record().updated_at = sent.updated_at;
    clear_pending();
    HP_TRY(save());
    m_outcome.notes.push_back(fmt::format("sent again the {} of {} change batches of the run started {} that were not "
                                          "confirmed (same request ids: none is applied twice)",
                                          remaining.size(), total, started));
    return std::string();
  }

  std::vector<ChangeTable> tables() const {
    std::vector<ChangeTable> out;
    for (const auto& table : m_output.tables) {
      out.push_back({table.name, table.primary_key.empty() ? table.key : table.primary_key});
    }
    return out;
  }

  // This run's changes sent, or why the file must go whole ("" when sent).
  Result<std::string> send_this_run(bool comparable, const std::string& whole_because) {
    std::error_code ec;
    fs::remove_all(m_pending_folder, ec);
    fs::create_directories(m_pending_folder, ec);
    if (ec) {
      return make_error(ErrorKind::io, fmt::format("cannot create {}: {}", m_pending_folder.string(), ec.message()));
    }
    auto changes = m_context.engine.make_change_set({m_output.file, comparable ? m_copy : fs::path(), tables(),
                                                     m_pending_folder, m_target.update_payload_limit});
    if (!changes || !comparable || !changes->fallback.empty()) {
      fs::remove_all(m_pending_folder, ec);
      if (!changes) {
        return std::move(changes).error();
      }
      return comparable ? changes->fallback : whole_because;
    }
    m_outcome.report.tables = changes->tables;
    const fs::path next = m_pending_folder / "next.hyper";
    HP_TRY(snapshot(m_output.file, next));
    for (std::size_t i = 0; i < changes->batches.size(); ++i) {
      base::StableHash id;
      id.field(m_context.pipeline.name).field(m_output.name).field(std::to_string(m_context.target_index))
          .field(m_context.run_started).field(std::to_string(i));
      changes->batches[i].request_id = fmt::format("hyperpipe-{:016x}-{}", id.value(), i + 1);
    }
    // Recorded before the first byte is sent: a crash from here on sends these again.
    record().pending = SyncTarget::Pending{m_context.run_started, changes->batches, 0, next};
    HP_TRY(save());
    HP_ASSIGN_OR_RETURN(auto sent, send({record().datasource_id, record().updated_at}, changes->batches, 0));
    if (!sent.fallback.empty()) {
      clear_pending();
      HP_TRY(save());
      return sent.fallback;
    }
    HP_TRY(advance(next, m_copy));
    record().updated_at = sent.updated_at;
    clear_pending();
    HP_TRY(save());
    m_outcome.published.datasource_id = sent.datasource_id;
    m_outcome.published.webpage_url = sent.webpage_url;
    m_outcome.notes.insert(m_outcome.notes.end(), sent.notes.begin(), sent.notes.end());
    m_outcome.report.batches = sent.batches_sent;
    m_outcome.report.bytes_uploaded = sent.bytes_sent;
    return std::string();
  }

  Status publish_whole(const std::string& because) {
    PublishSpec whole = m_target;
    whole.mode = publish::PublishMode::overwrite;
    HP_ASSIGN_OR_RETURN(m_outcome.published,
                        m_context.publisher.publish(whole, m_output.file, m_context.add_secret, m_context.on_progress));
    // The server has the file: from now on it is what was last published.
    HP_TRY(snapshot(m_output.file, m_copy));
    record().datasource_id = m_outcome.published.datasource_id;
    record().updated_at = m_outcome.published.updated_at;
    HP_TRY(save());
    m_outcome.report.whole_file = true;
    m_outcome.report.why_whole = because;
    m_outcome.report.tables.clear();
    m_outcome.report.batches = 0;
    m_outcome.report.bytes_uploaded = m_outcome.report.bytes_full_publish;
    return {};
  }

  const SyncPublishContext& m_context;
  const PublishSpec& m_target;
  const OutputSpec& m_output;
  std::string m_key;
  fs::path m_state_file;
  fs::path m_folder;
  fs::path m_copy;
  fs::path m_pending_folder;
  SyncState m_state;
  SyncPublishOutcome m_outcome;
};

} // namespace

Result<SyncPublishOutcome> sync_publish(const SyncPublishContext& context) {
  std::error_code ec;
  fs::create_directories(sync_folder_of(context.pipeline, context.planned.output->name, context.target_index), ec);
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("cannot create the sync folder: {}", ec.message()));
  }
  return SyncRun(context).run();
}

fs::path sync_state_file_of(const PipelineSpec& pipeline) { return pipeline.state_dir / (pipeline.name + ".sync.json"); }

fs::path sync_folder_of(const PipelineSpec& pipeline, const std::string& output, std::size_t target_index) {
  return pipeline.state_dir / (pipeline.name + ".sync") / fmt::format("{}-{}", output, target_index);
}

} // namespace hyperpipe::pipeline
