#include "hyperpipe/engine.hpp"

#include <fmt/format.h>

#include <system_error>

#include "base/quoting.hpp"
#include "hyper/catalog/catalog_reader.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyper/engine_state.hpp"
#include "hyper/process/hyperd_locator.hpp"
#include "hyper/process/memory_limit.hpp"

namespace hyperpipe {
namespace fs = std::filesystem;
namespace {

// hyperd reports a missing or foreign file with a generic message; say which file and why.
Status check_readable_extract(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return make_error(ErrorKind::not_found, fmt::format("{}: no such file", file.string()));
  }
  if (!fs::is_regular_file(file, ec)) {
    return make_error(ErrorKind::invalid_argument, fmt::format("{}: not a regular file", file.string()));
  }
  return {};
}

// libpq wraps the server's refusal as "connection to server at ... failed: ERROR:  <reason>
// DETAIL: ..."; the reason alone is what the user needs.
std::string server_reason(const std::string& message) {
  const auto start = message.find("ERROR:");
  if (start == std::string::npos) {
    return message;
  }
  std::string reason = message.substr(start + 6);
  reason.erase(0, reason.find_first_not_of(' '));
  return reason.substr(0, reason.find('\n'));
}

Error explain_open_failure(const fs::path& file, Error error) {
  if (error.kind == ErrorKind::connection || error.kind == ErrorKind::sql) {
    error.kind = ErrorKind::io;
    error.message = fmt::format("{}: cannot open as a Hyper database: {}", file.string(), server_reason(error.message));
    error.hint = "is it a .hyper file, and not open in another Hyper process (e.g. Tableau)?";
  }
  return error;
}

} // namespace

Result<HyperEngine> HyperEngine::start(const EngineOptions& options) {
  HP_ASSIGN_OR_RETURN(auto located, hyper::locate_hyperd(options.hyperd));
  hyper::HyperdOptions process_options;
  process_options.binary = located.path;
  process_options.default_file_version = options.default_file_version;
  process_options.log_dir = options.log_dir;
  if (options.memory_limit) {
    HP_ASSIGN_OR_RETURN(process_options.memory_limit, hyper::check_memory_limit(*options.memory_limit));
  } else {
    process_options.memory_limit = hyper::machine_default_memory_limit();
  }
  process_options.start_timeout = options.start_timeout;
  process_options.shutdown_timeout = options.shutdown_timeout;
  if (options.log_dir) {
    std::error_code ec;
    fs::create_directories(*options.log_dir, ec);
    if (ec) {
      return make_error(ErrorKind::io, fmt::format("cannot create log directory {}: {}", options.log_dir->string(),
                                                   ec.message()));
    }
  }
  HP_ASSIGN_OR_RETURN(auto process, hyper::HyperdProcess::start(process_options));
  auto state = std::make_unique<internal::EngineState>(located.path, options.default_file_version, std::move(process));
  state->memory_limit = process_options.memory_limit;
  return HyperEngine(std::move(state));
}

HyperEngine::HyperEngine(std::unique_ptr<internal::EngineState> state) : m_state(std::move(state)) {}
HyperEngine::HyperEngine(HyperEngine&&) noexcept = default;
HyperEngine& HyperEngine::operator=(HyperEngine&&) noexcept = default;
HyperEngine::~HyperEngine() = default;

Status HyperEngine::shutdown() { return m_state->process.shutdown(); }
const fs::path& HyperEngine::hyperd_path() const { return m_state->hyperd_path; }
int HyperEngine::default_file_version() const { return m_state->default_file_version; }
const std::string& HyperEngine::memory_limit() const { return m_state->memory_limit; }
std::chrono::microseconds HyperEngine::startup_time() const { return m_state->process.startup_time(); }

Result<QueryResult> HyperEngine::query(const fs::path& file, std::string_view sql) {
  HP_TRY(check_readable_extract(file));
  // Attached and detached explicitly: DETACH returns once hyperd has written every change to the
  // file, so a caller may copy or rename the file as soon as this returns. (A connection that
  // merely closes leaves hyperd writing in the background.)
  HP_ASSIGN_OR_RETURN(auto connection, m_state->connect());
  // Under the file's own name, as when it is the connection's database: SQL may say "sales"."public"."t".
  const std::string alias = base::quote_identifier(file.stem().string());
  auto attached = connection.execute(sql::attach_database(fs::absolute(file).string(), alias));
  if (!attached) {
    return explain_open_failure(file, std::move(attached).error());
  }
  auto result = connection.query(sql);
  auto detached = connection.execute(sql::detach_database(alias));
  if (result && !detached) {
    return std::move(detached).error();
  }
  return result;
}

Result<ExtractInfo> HyperEngine::inspect(const fs::path& file) {
  HP_TRY(check_readable_extract(file));
  auto connection = m_state->connect(fs::absolute(file).string());
  if (!connection) {
    return explain_open_failure(file, std::move(connection).error());
  }
  HP_ASSIGN_OR_RETURN(auto info, hyper::read_catalog(*connection, ""));
  info.path = file;
  return info;
}

} // namespace hyperpipe
