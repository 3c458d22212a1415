#include "pipeline/run/sync_publish.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/stable_hash.hpp"
#include "extract/atomic_file.hpp"
#include "pipeline/state/run_state.hpp"
#include "pipeline/state/sync_state.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

// A snapshot of a committed output: a hard link where the state folder shares its file system
// (outputs are replaced by rename, never written in place, so the linked file never changes), a
// copy elsewhere, made beside its target and published over it like an extract.
Status snapshot(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::remove(to, ec);
  fs::create_hard_link(from, to, ec);
  if (!ec) {
    return {};
  }
  const fs::path partial = fs::path(to.string() + ".partial");
  HP_TRY(extract::copy_for_update(from, partial));
  return extract::publish(partial, to, true);
}

// The pending snapshot becomes "last published": renamed, synced like an extract.
Status advance(const fs::path& next, const fs::path& copy) { return extract::publish(next, copy, true); }

std::uint64_t inode_of(const fs::path& file) {
  struct stat info {};
  return ::stat(file.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_ino) : 0;
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
      kept = SyncTarget{m_target.server, m_target.site, m_target.project, m_target.name};
    }
    std::error_code ec;
    m_outcome.report.bytes_full_publish = fs::file_size(m_output.file, ec);
    std::string whole_because;
    if (kept.pending) {
      HP_ASSIGN_OR_RETURN(whole_because, finish_pending());
    }
    if (whole_because.empty() && !record().datasource_id.empty() && record().keys != keys()) {
      whole_because = "the output's tables or their keys changed since the last publish";
    }
    if (whole_because.empty() && record().refused >= 2) {
      whole_because = fmt::format("the server refused the last {} updates of data in a row", record().refused);
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

  std::map<std::string, std::vector<std::string>> keys() const {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& table : tables()) {
      out[table.name.quoted()] = table.key;
    }
    return out;
  }

  void clear_pending() {
    record().pending.reset();
    std::error_code ec;
    fs::remove_all(m_pending_folder, ec);
  }

  // The pending batches with their payloads where they are now.
  std::vector<publish::ChangeBatch> located(std::vector<publish::ChangeBatch> batches) const {
    for (auto& batch : batches) {
      if (batch.payload) {
        batch.payload = m_pending_folder / *batch.payload;
      }
    }
    return batches;
  }

  // Each confirmed batch is kept, with the server's updatedAt after it. A batch the server
  // certainly did not apply (its job failed, the request was refused) drops the pending batches:
  // the copy did not advance, so the next run computes the change again (and after two refusals
  // in a row publishes whole). Any other failure leaves what was applied unknown: they stay, to
  // be sent again under the same ids.
  Result<publish::SyncOutcome> send(const publish::SyncExpectation& expected, const std::vector<publish::ChangeBatch>& batches,
                                    std::size_t first) {
    auto sent = m_context.publisher.send_changes(
        m_target, expected, located(batches),
        [&](std::size_t done, const std::string& updated_at) {
          record().pending->done = first + done + 1;
          record().pending->updated_at = updated_at;
          return save();
        },
        m_context.add_secret);
    if (!sent && publish::refused_update(sent.error())) {
      clear_pending();
      ++record().refused;
      (void)save();
    }
    return sent;
  }

  // The pending snapshot became "last published" (renamed, or already renamed before a crash).
  Status settle(const SyncTarget::Pending& pending, const std::string& updated_at) {
    const fs::path next = m_pending_folder / pending.next;
    std::error_code ec;
    if (fs::exists(next, ec)) {
      HP_TRY(advance(next, m_copy));
    }
    record().updated_at = updated_at;
    record().keys = keys();
    record().refused = 0;
    clear_pending();
    return save();
  }

  // An earlier run's batches not all confirmed: the same payloads and ids again, then its copy.
  Result<std::string> finish_pending() {
    const SyncTarget::Pending pending = *record().pending;
    std::error_code ec;
    const bool next_there = fs::exists(m_pending_folder / pending.next, ec);
    const bool already_advanced = !next_there && pending.next_inode != 0 && inode_of(m_copy) == pending.next_inode;
    const std::vector<publish::ChangeBatch> remaining(pending.batches.begin() + static_cast<std::ptrdiff_t>(pending.done),
                                                      pending.batches.end());
    const bool payloads_there = std::all_of(remaining.begin(), remaining.end(), [&](const publish::ChangeBatch& batch) {
      return !batch.payload || fs::exists(m_pending_folder / *batch.payload, ec);
    });
    if ((!next_there && !already_advanced) || !payloads_there) {
      // Without them the server's state cannot be known from here: start over, whole.
      clear_pending();
      fs::remove(m_copy, ec);
      record().datasource_id.clear();
      HP_TRY(save());
      return fmt::format("the unconfirmed changes of the run started {} are missing from {}", pending.run_started,
                         m_pending_folder.string());
    }
    if (remaining.empty()) {
      HP_TRY(settle(pending, pending.updated_at)); // every batch was confirmed; only the bookkeeping was cut short
      return std::string();
    }
    // The batch in flight at the crash may have been applied, changing updatedAt: it cannot be
    // expected. The same data source (its id) and the same request ids are what make this safe;
    // a change someone else made in the moments between the crash and this run is not detected.
    HP_ASSIGN_OR_RETURN(auto sent, send({record().datasource_id, ""}, remaining, pending.done));
    if (!sent.fallback.empty()) {
      clear_pending();
      HP_TRY(save());
      return fmt::format("the unconfirmed changes of the run started {} could not be sent ({})", pending.run_started,
                         sent.fallback);
    }
    HP_TRY(settle(pending, sent.updated_at));
    m_outcome.notes.push_back(fmt::format("sent again the {} of {} change batches of the run started {} that were not "
                                          "confirmed (same request ids: none is applied twice)",
                                          remaining.size(), pending.batches.size(), pending.run_started));
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
    HP_TRY(snapshot(m_output.file, m_pending_folder / "next.hyper"));
    for (std::size_t i = 0; i < changes->batches.size(); ++i) {
      base::StableHash id;
      id.field(m_context.pipeline.name).field(m_output.name).field(std::to_string(m_context.target_index))
          .field(m_context.run_started).field(std::to_string(i));
      changes->batches[i].request_id = fmt::format("hyperpipe-{:016x}-{}", id.value(), i + 1);
      if (changes->batches[i].payload) {
        changes->batches[i].payload = changes->batches[i].payload->filename();
      }
    }
    // Recorded before the first byte is sent: a crash from here on sends these again.
    record().pending = SyncTarget::Pending{m_context.run_started, changes->batches, 0, "next.hyper",
                                           inode_of(m_pending_folder / "next.hyper"), record().updated_at};
    HP_TRY(save());
    HP_ASSIGN_OR_RETURN(auto sent, send({record().datasource_id, record().updated_at}, changes->batches, 0));
    if (!sent.fallback.empty()) {
      clear_pending();
      HP_TRY(save());
      return sent.fallback;
    }
    HP_TRY(settle(*record().pending, sent.updated_at));
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
    record().keys = keys();
    record().refused = 0;
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
