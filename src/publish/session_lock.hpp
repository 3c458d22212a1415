#pragma once
// One Tableau session per personal access token. Tableau keeps a single live session per PAT: a
// second sign-in with the same token ends the first, mid-upload. So every hyperpipe process that
// signs in with a PAT (`publish`, pipeline runs, the scheduler's runs, `doctor`) first takes a
// lock named after the server and the token, held until it has signed out. The locks live in one
// per-user folder, not in a pipeline's state folder, because pipelines in different folders may
// share a token. Users and passwords, and connected apps, get a session per sign-in and need no
// lock. The lock dies with its process (flock), so a killed run never blocks the next one.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "base/file_lock.hpp"
#include "net/retry.hpp"
#include "publish/credentials.hpp"

namespace hyperpipe::publish {

/// HYPERPIPE_SESSION_LOCK_DIR; else $XDG_STATE_HOME/hyperpipe/sessions; else
/// $HOME/.local/state/hyperpipe/sessions; else a folder under the temporary directory.
std::filesystem::path default_session_lock_dir(
    const std::function<std::optional<std::string>(const std::string&)>& environment);

/// The lock file for `credentials` on `server`: readable names, and a hash of the exact pair so
/// two names that read alike never share a lock.
std::filesystem::path session_lock_file(const std::filesystem::path& dir, const std::string& server,
                                        const Credentials& credentials);

/// Waits (at most `timeout`) until no other process uses this token on this server, and holds
/// that until the returned lock is destroyed. Nothing to hold (no lock) for credentials that do
/// not share sessions. `holder` says who holds it, for the message of whoever waits.
Result<std::optional<base::FileLock>> hold_session(const std::filesystem::path& dir, const std::string& server,
                                                   const Credentials& credentials, const std::string& holder,
                                                   std::chrono::seconds timeout, net::Sleeper& sleeper);

} // namespace hyperpipe::publish
