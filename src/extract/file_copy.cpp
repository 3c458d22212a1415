// hyperd reading a file itself into an extract's table, kept only if the caller's own reading
// agrees: the fast path for plain CSV files (pipeline/load_sources.cpp).
#include <fmt/format.h>

#include <thread>

#include "extract/extract_state.hpp"
#include "hyper/sql/ddl.hpp"
#include "hyperpipe/extract.hpp"

namespace hyperpipe {

Result<ExtractWriter::FileCopy> ExtractWriter::copy_file_checked(
    const TableName& table, const std::filesystem::path& file, std::string_view with_options,
    const std::function<FileCheck(const std::atomic<bool>& copy_failed)>& check) {
  HP_TRY(m_state->check_usable());
  const auto found = m_state->tables.find(table.quoted());
  if (found == m_state->tables.end()) {
    return make_error(ErrorKind::not_found, fmt::format("table {} is not in the extract", table.quoted()));
  }
  if (m_state->table_writer_active) {
    return make_error(ErrorKind::invalid_argument, "a TableWriter of this extract is still open");
  }
  hyper::Connection& connection = *m_state->connection;
  HP_ASSIGN_OR_RETURN(const hyper::Canceller canceller, connection.canceller());
  const std::string copy = sql::copy_from_file(sql::qualified(m_state->alias, found->second.name), found->second,
                                               std::filesystem::absolute(file).string(), with_options);
  // A transaction, so that rows hyperd has copied can still be taken back when the check finds
  // a doubt after the COPY has finished.
  HP_TRY(connection.execute("BEGIN"));
  std::atomic<bool> copy_failed{false};
  std::atomic<bool> copy_done{false};
  std::optional<Result<std::uint64_t>> copied;
  FileCheck checked;
  bool failed_first = false;
  {
    std::jthread copier([&] {
      copied = connection.execute(copy);
      copy_done = true;
      copy_failed = !*copied;
    });
    try {
      checked = check(copy_failed);
    } catch (...) {
      canceller.cancel();
      copier.join();
      m_state->abandon(); // its transaction still open: this extract can never be committed
      throw;
    }
    failed_first = copy_failed; // the check then stopped for it: hyperd's error says why
    if (!checked.rows && !copy_done) {
      canceller.cancel(); // no use finishing a copy that will be rolled back
    }
  }
  if (checked.rows && *copied && **copied == *checked.rows) {
    if (auto committed = connection.execute("COMMIT"); !committed) {
      m_state->abandon();
      return std::move(committed).error();
    }
    return FileCopy{**copied, {}};
  }
  // A cancel that reached hyperd only after the COPY ended may stop the ROLLBACK: send it again.
  auto rolled_back = connection.execute("ROLLBACK");
  if (!rolled_back) {
    rolled_back = connection.execute("ROLLBACK");
  }
  if (!rolled_back) {
    m_state->abandon(); // hyperd's rows may still be in it: this extract can never be committed
    return std::move(rolled_back).error();
  }
  std::string why_not = failed_first    ? "hyperd's COPY failed: " + copied->error().message
                        : !checked.rows ? checked.doubt
                                        : fmt::format("hyperd copied {} rows where {} were counted", **copied, *checked.rows);
  return FileCopy{std::nullopt, std::move(why_not)};
}

} // namespace hyperpipe
