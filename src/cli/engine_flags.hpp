#pragma once
// The flags every command that starts hyperd shares.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "hyperpipe/engine.hpp"

namespace hyperpipe::cli {

struct EngineFlags {
  std::string hyperd;
  std::string log_dir;
  std::string memory_limit; ///< empty: the engine's default (half of the machine's memory)
  EngineOptions options() const;
};

/// Adds --hyperd, --log-dir and --engine-memory-limit to `command`; the flags are filled in when it is parsed.
std::shared_ptr<EngineFlags> add_engine_flags(CLI::App& command);

/// Starts hyperd per the flags, or reports why it could not (returns the exit code then).
Result<HyperEngine> start_engine(const EngineFlags& flags);

/// Starts hyperd, describes `file`, and shuts hyperd down again.
Result<ExtractInfo> inspect_file(const EngineFlags& flags, const std::string& file);

} // namespace hyperpipe::cli
