#pragma once
// What a `publish: {mode: sync}` target remembers between runs: which data source it keeps in
// step (its id and the updatedAt the server gave after hyperpipe's last change), and the change
// batches of a run that were not all confirmed yet — their payloads, actions and request ids —
// so the next run sends exactly those again (the server applies a request id once) before
// anything new. One small JSON file per pipeline, replaced atomically after every step; the copy
// of what was last published lives beside it (sync_folder_of) and only advances once the server
// confirmed every batch.

#include <filesystem>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"
#include "publish/tableau_client.hpp"

namespace hyperpipe::pipeline {

struct SyncTarget {
  /// Who the record is about: a target whose server, site, project or name changed starts over.
  std::string server, site, project, name;
  std::string datasource_id = {};
  std::string updated_at = {};
  /// The key of each table ("schema"."table" -> columns) the copy was compared by: another key,
  /// or another set of tables, starts over with a whole publish.
  std::map<std::string, std::vector<std::string>> keys = {};
  /// Updates of data the server refused in a row (a failed job, a 4xx): at 2 the next run
  /// publishes whole instead of computing the same change again.
  int refused = 0;
  struct Pending {
    std::string run_started;
    /// Payload paths relative to the pending folder (the state folder may move).
    std::vector<publish::ChangeBatch> batches;
    std::size_t done = 0;       ///< batches confirmed, in order
    std::filesystem::path next; ///< relative: the snapshot that becomes "last published" once all are done
    std::uint64_t next_inode = 0; ///< to tell, after a crash, whether it already became it
    std::string updated_at;     ///< the server's, after the last confirmed batch
  };
  std::optional<Pending> pending = std::nullopt;
};

struct SyncState {
  std::map<std::string, SyncTarget> targets; ///< by "<output>#<index of its publish target>"
};

/// A missing file is an empty state; an unreadable one is an error naming it.
Result<SyncState> read_sync_state(const std::filesystem::path& file);
Status write_sync_state(const std::filesystem::path& file, const SyncState& state);

} // namespace hyperpipe::pipeline
