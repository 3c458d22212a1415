#pragma once
// What a HyperEngine holds; shared with the extract writer, which opens its own connections.

#include <atomic>
#include <filesystem>

#include "hyper/process/hyperd_process.hpp"
#include "hyper/wire/connection.hpp"

namespace hyperpipe::internal {

struct EngineState {
  EngineState(std::filesystem::path path, int file_version, hyper::HyperdProcess hyperd)
      : hyperd_path(std::move(path)), default_file_version(file_version), process(std::move(hyperd)) {}

  std::filesystem::path hyperd_path;
  int default_file_version = 2;
  hyper::HyperdProcess process;
  std::string memory_limit; ///< as hyperd was given it
  std::atomic<unsigned> next_alias{0};

  /// A new connection to this engine's hyperd; `database` as in hyper::Connection::open.
  Result<hyper::Connection> connect(const std::string& database = {}) {
    return hyper::Connection::open(process.host(), process.port(), hyper::k_hyperd_user, database);
  }
};

} // namespace hyperpipe::internal
