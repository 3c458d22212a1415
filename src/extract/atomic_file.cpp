#include "extract/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <string>
#include <cerrno>
#include <cstring>

#include "base/unique_fd.hpp"

namespace hyperpipe::extract {
namespace fs = std::filesystem;
namespace {

Status sync_path(const fs::path& path, int flags) {
  base::UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) {
    return make_error(ErrorKind::io, fmt::format("cannot flush {} to disk: {}", path.string(), std::strerror(errno)));
  }
  return {};
}

} // namespace

std::string host_tag() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    return "host";
  }
  std::string tag;
  for (const char* c = name; *c != '\0'; ++c) {
    tag += (std::isalnum(static_cast<unsigned char>(*c)) || *c == '-') ? *c : '_';
  }
  return tag.empty() ? "host" : tag;
}

fs::path temporary_path_for(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  return target.parent_path() /
         fmt::format(".{}.{}.{}-{}.tmp", target.filename().string(), host_tag(), ::getpid(), counter++);
}

Status publish(const fs::path& temporary, const fs::path& target, bool replace) {
  HP_TRY(sync_path(temporary, O_RDONLY));
  const unsigned flags = replace ? 0U : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, target.c_str(), flags) != 0) {
    const int error = errno;
    if (error == EEXIST) {
      return make_error(ErrorKind::already_exists, fmt::format("{} already exists", target.string()),
                        "choose another name or replace it (mode replace)");
    }
    return make_error(ErrorKind::io, fmt::format("cannot move the finished extract to {}: {}", target.string(),
                                                 std::strerror(error)));
  }
  // The rename has happened: the new extract is in place whatever follows. Syncing the
  // directory makes that survive a power cut; where the directory cannot be opened or synced
  // (no read permission, some network filesystems) the extract is still published, so this is
  // not reported as a failure that would make a caller think the old file is still there.
  auto synced = sync_path(target.parent_path().empty() ? fs::path(".") : target.parent_path(), O_RDONLY | O_DIRECTORY);
  (void)synced;
  return {};
}

Status copy_for_update(const fs::path& source, const fs::path& temporary) {
  std::error_code ec;
  fs::copy_file(source, temporary, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("cannot copy {} to update it: {}", source.string(), ec.message()));
  }
  return {};
}

Status move_for_update(const fs::path& source, const fs::path& temporary) {
  std::error_code ec;
  fs::rename(source, temporary, ec);
  if (ec == std::errc::cross_device_link) {
    HP_TRY(copy_for_update(source, temporary));
    fs::remove(source, ec);
    return {};
  }
  if (ec) {
    return make_error(ErrorKind::io, fmt::format("cannot move {} to {}: {}", source.string(), temporary.string(), ec.message()));
  }
  return {};
}

Status check_can_create(const fs::path& temporary) {
  base::UniqueFd fd(::open(temporary.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600));
  if (!fd) {
    const int error = errno;
    return make_error(ErrorKind::io,
                      fmt::format("cannot write in {}: {}", temporary.parent_path().string(), std::strerror(error)),
                      "choose a folder you can write to, or change its permissions");
  }
  fd.reset();
  ::unlink(temporary.c_str());
  return {};
}

void remove_quietly(const fs::path& path) noexcept {
  std::error_code ec;
  fs::remove(path, ec);
}

} // namespace hyperpipe::extract
