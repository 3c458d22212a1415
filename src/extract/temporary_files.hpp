#pragma once
// Keeping unfinished extracts from littering the target directory when a run is interrupted.
//
// Two mechanisms: the temporary files this process is building are registered, so a SIGINT,
// SIGTERM or SIGHUP handler can unlink them before the process dies; and a temporary left by a
// process that died without a chance to clean up (SIGKILL, power loss) carries that process's
// pid in its name, so the next run for the same target removes it once that pid is gone.

#include <filesystem>

namespace hyperpipe::extract {

void track_temporary(const std::filesystem::path& path);
void untrack_temporary(const std::filesystem::path& path);

/// Removes ".<target name>.<this host>.<pid>-<n>.tmp" files beside `target` whose pid no longer
/// exists on this host.
void remove_stale_temporaries(const std::filesystem::path& target);

} // namespace hyperpipe::extract
