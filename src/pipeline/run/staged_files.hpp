#pragma once
// What becomes of the files sources were staged in: which goes straight into its output as it
// is, and which becomes the workspace the others are copied into. Pure decisions over what the
// staged files are; the runner acts on them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/inspect.hpp"

namespace hyperpipe::pipeline {

/// Whether a staged file is what copying its one table through the workspace into an output of
/// `output_version` would make: that one table (`staged_table` in "public"), of that file
/// version, every column nullable and without a collation, no keys. Then it becomes the output.
bool fits_as_output(const ExtractInfo& staged, int output_version, const std::string& staged_table);

struct WorkspaceCandidate {
  std::optional<std::uintmax_t> bytes; ///< unknown (not readable): never the workspace
  int file_version = 0;
  bool direct = false; ///< going straight into an output: never the workspace
};

/// The staged file that becomes the workspace (renamed, not copied): the largest among those of
/// the newest file version, so every staged column type fits it, and that version at least
/// `least_version`. None: a new, empty workspace.
std::optional<std::size_t> workspace_base(const std::vector<WorkspaceCandidate>& files, int least_version);

} // namespace hyperpipe::pipeline
