#pragma once
// The one contract every row source offers (CSV, JSON and the web APIs spooled into it, Excel,
// PostgreSQL, SQLite, ODBC): its tables and their columns first, then each table's rows as typed
// batches, with row accounting and bad rows set aside. One pump (pipeline/load_sources) feeds any
// of them into an extract, for `hyperpipe load` and pipelines alike. Parquet is not one: hyperd
// reads it itself, so it stays SQL. A source may also offer a file for hyperd to copy itself
// (server_copy), with the scan that proves hyperd reads it as the source would.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "sources/rejects.hpp"
#include "sources/text/type_inference.hpp"

namespace hyperpipe::sources {

/// Receives full batches, one at a time (never concurrently).
using BatchSink = std::function<Status(const ColumnBatch& batch)>;

/// Why a read stopped early: a value outside a type inferred from a sample. The pump then
/// infers from every row and starts over (the sample was wrong, not the data).
struct NeedsWidening {
  std::size_t column;
  std::string value;
  std::uint64_t line;
};

/// One table a source fills, as the source sees it.
struct SourceTable {
  TableDefinition definition;
  /// Per column, what the values seen said, for sources that infer types: the union of several
  /// files of one table merges them. Empty when the source declares its types (databases); such
  /// tables union only when their types are equal.
  std::vector<TypeInference> inferences;
  /// Rows of another table's records (a JSON array's): not counted as the source's rows.
  bool child = false;
  /// What the reader did that a person should know, for this table.
  std::vector<std::string> notes;
};

/// How one table's read added up. The pump checks read = loaded + rejected.
struct TableRead {
  std::uint64_t rows_read = 0;
  std::uint64_t rows_rejected = 0;
  /// Set when the read stopped at a value its provisional column cannot hold; the rows before
  /// it were delivered.
  std::optional<NeedsWidening> widening;
  /// What the reader learned while reading that a person should know (how a read was split).
  std::vector<std::string> notes;
};

/// What a source's own reading of a file found, in the forms hyperd reads alike: the rows it
/// counted, or the first doubt.
struct FileScan {
  std::optional<std::uint64_t> rows = {};
  std::string doubt = {};
  /// The doubt is a value its column's type cannot hold as the source reads it: a column typed
  /// from a sample must be widened, as read() would have found.
  std::optional<NeedsWidening> widening = {};
};

/// A file hyperd can read itself (its COPY), and the scan that proves it reads it as the
/// source would (sources/csv/copy_check.hpp). The scan runs while hyperd copies: rows and
/// bytes so far go to `progress`; it stops early, with a doubt, once `stop` is set.
struct ServerCopy {
  std::filesystem::path file;
  std::string with_options; ///< the COPY's WITH clause
  std::function<FileScan(const std::atomic<bool>& stop,
                         const std::function<void(std::uint64_t rows, std::uint64_t bytes)>& progress)>
      scan;
};

class RowSource {
public:
  virtual ~RowSource() = default;
  /// For messages: the file, or the source's name.
  virtual const std::string& name() const = 0;
  /// The tables this source fills, `root` first: children and sheets are named from it.
  virtual std::vector<SourceTable> tables(const TableName& root) const = 0;
  /// Delivers table `index`'s rows to `sink` as batches of `definition`'s columns (the source's
  /// columns after merging and overrides). `provisional[i]`: column i's type came from a sample,
  /// so a value beyond it stops the read with `widening` instead of being rejected. Rows no
  /// column can hold go to `rejects`. Each table is read once.
  virtual Result<TableRead> read(std::size_t index, const TableDefinition& definition,
                                 const std::vector<bool>& provisional, const BatchSink& sink, RejectSink& rejects) = 0;
  /// Input bytes consumed so far, for progress; 0 when unknown.
  virtual std::uint64_t bytes_read() const { return 0; }
  /// When hyperd can read table `index` itself into `definition`'s columns, before read() is
  /// called: how, and the scan that must pass for its rows to be kept. Otherwise nothing.
  virtual std::optional<ServerCopy> server_copy(std::size_t /*index*/, const TableDefinition& /*definition*/) const {
    return std::nullopt;
  }
};

} // namespace hyperpipe::sources
