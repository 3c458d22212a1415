#pragma once
// Several files made visible together, across a crash at any instant.
//
// A run's outputs and its state file must change together: an output new and the state old
// would make the next incremental run load the same rows again. Each new file is first written
// complete beside its target (the "staged" file). Then:
//   1. every existing target is kept as a hard link (".<tag>.previous"), so it can be put back;
//   2. a journal naming every (staged, target, previous) is written and flushed: the commit point;
//   3. each staged file is renamed over its target, in order (the state file last);
//   4. the kept links and the journal are removed.
// A crash before 2 leaves every target as it was (the staged files are leftovers). A crash after
// 2 is completed by recover_commit() at the next start: a staged file still present is renamed
// over its target; renames already done are not repeated. If a rename fails while running, the
// journal is turned around ("back") before the targets are restored, so a crash during that
// undo is finished in the same direction. Every step is idempotent.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::pipeline {

struct StagedFile {
  std::filesystem::path staged; ///< complete and flushed, in the target's folder
  std::filesystem::path target;
};

struct CommitRequest {
  std::filesystem::path journal; ///< where the journal lives while the commit is in flight
  std::string tag;               ///< names the kept links: "<target>.<tag>.previous"
  std::vector<StagedFile> files; ///< renamed in this order
  /// Called after each durable step with its name ("kept N", "journal", "renamed N", "done");
  /// tests stop the process there to prove a crash at that instant is recovered.
  std::function<void(std::string_view)> after_step;
};

/// Makes every staged file its target's content, or (on an error) none of them.
Status commit_files(const CommitRequest& request);

/// What recover_commit() did.
struct Recovery {
  bool found = false;     ///< a journal was there
  bool completed = false; ///< true: carried forward; false: undone
  std::size_t files = 0;
};

/// Finishes a commit that a crash interrupted, in the direction its journal says. No journal:
/// nothing to do. An error leaves the journal in place, so the next start tries again.
Result<Recovery> recover_commit(const std::filesystem::path& journal);

/// The kept-link name of `target` for `tag`.
std::filesystem::path previous_of(const std::filesystem::path& target, std::string_view tag);

} // namespace hyperpipe::pipeline
