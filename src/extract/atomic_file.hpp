#pragma once
// The filesystem side of atomic extract writes: a hidden temporary name beside the target (same
// directory, so the final rename is atomic), durable publication, and cleanup.

#include <filesystem>
#include <string>

#include "hyperpipe/error.hpp"

namespace hyperpipe::extract {

/// ".<target name>.<host>.<pid>-<n>.tmp" in the target's directory. The host and pid say whose
/// it is, so a later run can tell a dead process's leftover from another live writer's file.
std::filesystem::path temporary_path_for(const std::filesystem::path& target);

/// This machine's name as used in temporary file names (letters, digits and '-' only).
std::string host_tag();

/// Flushes `temporary` to disk and renames it to `target`. With `replace` false the rename fails
/// if the target appeared meanwhile (RENAME_NOREPLACE). Then syncs the directory entry.
Status publish(const std::filesystem::path& temporary, const std::filesystem::path& target, bool replace);

/// Copies an existing extract to the temporary file, preferring a reflink/copy_file_range copy.
Status copy_for_update(const std::filesystem::path& source, const std::filesystem::path& temporary);
/// Moves `source` (given up by its owner) to `temporary`: renamed, or copied and removed when the
/// two are on different file systems.
Status move_for_update(const std::filesystem::path& source, const std::filesystem::path& temporary);

/// Creates and removes `temporary`, to say in our own words (kind io: exit 3) that its folder
/// cannot be written, before hyperd is asked to create a database there.
Status check_can_create(const std::filesystem::path& temporary);

/// Removes the file if present; errors are ignored (used on rollback paths).
void remove_quietly(const std::filesystem::path& path) noexcept;

} // namespace hyperpipe::extract
