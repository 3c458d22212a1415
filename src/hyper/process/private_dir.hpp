#pragma once
// A folder only this user can enter (mode 0700, made by mkdtemp), removed with everything in it
// when its owner goes. hyperd's sockets live here: a Unix socket in a private folder cannot be
// reached by another local user, whatever the socket's own mode.

#include <filesystem>

#include "base/unique_fd.hpp"
#include "hyperpipe/error.hpp"

namespace hyperpipe::hyper {

class PrivateDir {
public:
  /// Creates `<temp>/hyperpipe-engine-XXXXXX`, where <temp> is $TMPDIR when a socket path in it
  /// still fits sockaddr_un (108 bytes), else /tmp. Refuses a folder that is not ours or not 0700.
  /// Removes this user's folders there whose hyperd is gone (left by a SIGKILLed process).
  static Result<PrivateDir> create();

  PrivateDir() = default; ///< owns no folder

  PrivateDir(PrivateDir&& other) noexcept;
  PrivateDir& operator=(PrivateDir&& other) noexcept;
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  ~PrivateDir(); ///< removes the folder and its contents; never throws

  const std::filesystem::path& path() const { return m_path; }

private:
  explicit PrivateDir(std::filesystem::path path) : m_path(std::move(path)) {}
  void remove() noexcept;
  std::filesystem::path m_path;
  base::UniqueFd m_lock; ///< flock held while the folder lives (see remove_stale_folders)
};

/// The longest file name hyperpipe or hyperd puts in a private folder.
inline constexpr std::size_t k_longest_socket_name = 16;
/// Every file that can be in a private folder: hyperd's socket and its pid file, our callback.
inline constexpr const char* k_lock_file_name = "owner.lock";
inline constexpr const char* k_private_dir_entries[] = {".s.PGSQL.1", ".s.PGSQL.1.pid", "callback", "owner.lock"};
/// The folder in it where hyperd spills what does not fit its memory limit (hyperd empties it
/// as it goes and when it stops).
inline constexpr const char* k_spill_folder_name = "spill";

/// Removes every private folder alive in this process, from a signal handler (async-signal-safe:
/// fixed names, unlink and rmdir), for programs that end on SIGTERM without unwinding.
void remove_private_dirs_now() noexcept;

} // namespace hyperpipe::hyper
