#include "cli/engine_flags.hpp"

namespace hyperpipe::cli {

EngineOptions EngineFlags::options() const {
  EngineOptions options;
  if (!hyperd.empty()) {
    options.hyperd = hyperd;
  }
  if (!log_dir.empty()) {
    options.log_dir = log_dir;
  }
  if (!memory_limit.empty()) {
    options.memory_limit = memory_limit;
  }
  return options;
}

std::shared_ptr<EngineFlags> add_engine_flags(CLI::App& command) {
  auto flags = std::make_shared<EngineFlags>();
  command.add_option("--hyperd", flags->hyperd,
                     "hyperd binary or its folder (default: $HYPERPIPE_HYPERD, the project's .venv, "
                     "then python3's tableauhyperapi)");
  command.add_option("--log-dir", flags->log_dir, "write hyperd.log into this folder (default: no log file)");
  command
      .add_option("--engine-memory-limit", flags->memory_limit,
                  "memory hyperd may use before it spills to disk: bytes with a unit (4g, 512m) or a share of the "
                  "machine (50%); default: half of the machine's memory or of its cgroup's limit")
      ->envname("HYPERPIPE_ENGINE_MEMORY_LIMIT");
  return flags;
}

Result<HyperEngine> start_engine(const EngineFlags& flags) { return HyperEngine::start(flags.options()); }

Result<ExtractInfo> inspect_file(const EngineFlags& flags, const std::string& file) {
  HP_ASSIGN_OR_RETURN(auto engine, start_engine(flags));
  HP_ASSIGN_OR_RETURN(auto info, engine.inspect(file));
  HP_TRY(engine.shutdown());
  return info;
}

} // namespace hyperpipe::cli
