#include "pipeline/state/commit_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "base/unique_fd.hpp"
#include "pipeline/state/run_state.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

struct Entry {
  fs::path staged;
  fs::path target;
  fs::path previous; ///< empty: the target did not exist
};

enum class Direction { forward, back };

Error io_error(std::string message) { return make_error(ErrorKind::io, std::move(message)); }

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

// Renames are durable only once their folder is flushed; a folder that cannot be opened (some
// network file systems) still has the rename, so that is not a failure.
void sync_folders(const std::vector<Entry>& entries) {
  std::set<fs::path> folders;
  for (const auto& entry : entries) {
    folders.insert(entry.target.parent_path().empty() ? fs::path(".") : entry.target.parent_path());
  }
  for (const auto& folder : folders) {
    base::UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd) {
      (void)::fsync(fd.get());
    }
  }
}

Status write_journal(const fs::path& journal, Direction direction, const std::vector<Entry>& entries) {
  nlohmann::json json;
  json["format"] = "hyperpipe-commit/1";
  json["direction"] = direction == Direction::forward ? "forward" : "back";
  json["files"] = nlohmann::json::array();
  for (const auto& entry : entries) {
    json["files"].push_back(
        {{"staged", entry.staged.string()}, {"target", entry.target.string()}, {"previous", entry.previous.string()}});
  }
  std::string text;
  try {
    text = json.dump(2) + "\n";
  } catch (const nlohmann::json::exception& error) {
    return io_error(fmt::format("cannot write the commit journal {}: a path is not valid UTF-8 ({})", journal.string(),
                                error.what()));
  }
  return write_file_atomically(journal, text);
}

Status remove_journal(const fs::path& journal) {
  std::error_code ec;
  fs::remove(journal, ec);
  if (ec) {
    return io_error(fmt::format("cannot remove the commit journal {}: {}", journal.string(), ec.message()));
  }
  sync_folders({{{}, journal, {}}});
  return {};
}

void remove_kept(const std::vector<Entry>& entries) {
  for (const auto& entry : entries) {
    std::error_code ec;
    if (!entry.previous.empty()) {
      fs::remove(entry.previous, ec);
    }
  }
}

// Carries a journaled commit forward: each staged file still present replaces its target.
Status roll_forward(const std::vector<Entry>& entries) {
  for (const auto& entry : entries) {
    if (!present(entry.staged)) {
      continue; // renamed already
    }
    std::error_code ec;
    fs::rename(entry.staged, entry.target, ec);
    if (ec) {
      return io_error(fmt::format("cannot move {} to {}: {}", entry.staged.string(), entry.target.string(), ec.message()));
    }
  }
  sync_folders(entries);
  remove_kept(entries);
  return {};
}

// Puts every target back as it was before the commit: the kept link over it, or (a target that
// did not exist) the new file removed. Staged files not yet renamed are removed.
Status roll_back(const std::vector<Entry>& entries) {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    std::error_code ec;
    if (present(it->staged)) {
      fs::remove(it->staged, ec); // never renamed: its target is untouched
      continue;
    }
    if (!it->previous.empty()) {
      if (present(it->previous)) {
        fs::rename(it->previous, it->target, ec);
      }
    } else {
      fs::remove(it->target, ec);
    }
    if (ec) {
      return io_error(fmt::format("cannot restore {}: {}", it->target.string(), ec.message()));
    }
  }
  sync_folders(entries);
  return {};
}

void step(const CommitRequest& request, std::string_view name) {
  if (request.after_step) {
    request.after_step(name);
  }
}

Result<std::pair<Direction, std::vector<Entry>>> read_journal(const fs::path& journal) {
  std::ifstream in(journal, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto json = nlohmann::json::parse(text.str());
    if (json.at("format").get<std::string>() != "hyperpipe-commit/1") {
      throw std::runtime_error("unknown format");
    }
    const auto direction = json.at("direction").get<std::string>() == "back" ? Direction::back : Direction::forward;
    std::vector<Entry> entries;
    for (const auto& file : json.at("files")) {
      entries.push_back({file.at("staged").get<std::string>(), file.at("target").get<std::string>(),
                         file.at("previous").get<std::string>()});
    }
    return std::pair{direction, std::move(entries)};
  } catch (const std::exception& error) {
    return make_error(ErrorKind::io, fmt::format("{}: not a hyperpipe commit journal: {}", journal.string(), error.what()),
                      "a run was interrupted while committing; compare the outputs with their .previous copies, "
                      "restore what is right, then delete the journal");
  }
}

} // namespace

fs::path previous_of(const fs::path& target, std::string_view tag) {
  return fs::path(target.string() + fmt::format(".{}.previous", tag));
}

Status commit_files(const CommitRequest& request) {
  std::vector<Entry> entries;
  const auto discard = [&] {
    for (const auto& file : request.files) {
      std::error_code ec;
      fs::remove(file.staged, ec);
    }
    remove_kept(entries);
  };
  for (std::size_t i = 0; i < request.files.size(); ++i) {
    const auto& file = request.files[i];
    Entry entry{file.staged, file.target, {}};
    std::error_code ec;
    if (present(file.target)) {
      entry.previous = previous_of(file.target, request.tag);
      fs::remove(entry.previous, ec);
      fs::create_hard_link(file.target, entry.previous, ec);
      if (ec) {
        // Some file systems (vfat, exFAT, many SMB mounts) have no hard links: a copy keeps it too.
        ec.clear();
        fs::copy_file(file.target, entry.previous, fs::copy_options::overwrite_existing, ec);
      }
      if (ec) {
        discard();
        return io_error(fmt::format("cannot keep the previous {} while replacing it: {}", file.target.string(), ec.message()));
      }
    }
    entries.push_back(std::move(entry));
    step(request, fmt::format("kept {}", i + 1));
  }
  if (auto written = write_journal(request.journal, Direction::forward, entries); !written) {
    discard();
    return written;
  }
  step(request, "journal");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::error_code ec;
    fs::rename(entries[i].staged, entries[i].target, ec);
    if (ec) {
      const Error failure = io_error(fmt::format("cannot move the new {} into place: {}", entries[i].target.string(), ec.message()));
      // Turned around first: a crash during the undo must not be carried forward.
      HP_TRY(write_journal(request.journal, Direction::back, entries));
      HP_TRY(roll_back(entries));
      remove_kept(entries);
      HP_TRY(remove_journal(request.journal));
      return failure;
    }
    step(request, fmt::format("renamed {}", i + 1));
  }
  sync_folders(entries);
  remove_kept(entries);
  // The commit has happened whatever follows: a journal that cannot be removed is completed
  // (a no-op) and removed by the next start.
  (void)remove_journal(request.journal);
  step(request, "done");
  return {};
}

Result<Recovery> recover_commit(const fs::path& journal) {
  if (!present(journal)) {
    return Recovery{};
  }
  HP_ASSIGN_OR_RETURN(auto read, read_journal(journal));
  auto& [direction, entries] = read;
  if (direction == Direction::forward) {
    HP_TRY(roll_forward(entries));
  } else {
    HP_TRY(roll_back(entries));
    remove_kept(entries);
  }
  HP_TRY(remove_journal(journal));
  return Recovery{true, direction == Direction::forward, entries.size()};
}

} // namespace hyperpipe::pipeline
