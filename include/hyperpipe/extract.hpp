#pragma once
/// \file
/// Writing .hyper extracts, single- or multi-table, atomically.
///
/// An ExtractWriter builds the extract in a hidden temporary file beside the target and renames
/// it over the target only in commit(). Until then the previous file is untouched; if the writer
/// is destroyed without commit (an error, an exception, a crash), the temporary file is removed
/// and the target is as it was.
///
///     auto engine = HyperEngine::start().value();
///     auto writer = ExtractWriter::open(engine, "sales.hyper").value();
///     TableDefinition table{{"Extract", "Extract"}};
///     table.add("id", SqlType::big_int(), Nullability::not_null).add("name", SqlType::text());
///     writer.add_table(table).value();
///     auto rows = writer.write_to(table.name).value();
///     ColumnBatch batch(table);
///     batch.append_row({std::int64_t{1}, std::string("one")}).value();
///     rows.write(batch).value();
///     rows.finish().value();
///     writer.commit().value();

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hyperpipe/column_batch.hpp"
#include "hyperpipe/engine.hpp"
#include "hyperpipe/table.hpp"

namespace hyperpipe {

enum class CreateMode {
  create,            ///< the target must not exist
  replace,           ///< start from an empty extract, replacing the target on commit
  create_if_missing, ///< start from the existing target if there is one, else empty
  open_existing,     ///< the target must exist; start from it (append)
};

struct ExtractOptions {
  CreateMode mode = CreateMode::replace;
  /// File format version of a new extract; unset: the engine's default (2 unless changed).
  std::optional<int> file_version;
};

class TableWriter;

class ExtractWriter {
public:
  static Result<ExtractWriter> open(HyperEngine& engine, const std::filesystem::path& target,
                                    ExtractOptions options = {});
  /// Takes `file` over — a finished .hyper the caller gives up, such as a pipeline's staged
  /// source — as the working file of an extract for `target`: moved beside the target (a rename
  /// on the same file system, else a copy and a removal), so its rows are not copied again.
  /// Like open(): nothing reaches `target` before commit, and dropping the writer removes it.
  static Result<ExtractWriter> adopt(HyperEngine& engine, const std::filesystem::path& file,
                                     const std::filesystem::path& target);

  ExtractWriter(ExtractWriter&&) noexcept;
  ExtractWriter& operator=(ExtractWriter&&) noexcept;
  ~ExtractWriter(); ///< without commit(): removes the temporary file, leaves the target as it was

  /// Creates a table (and its schema). An error if it exists, or if a column type needs a newer
  /// file version than this extract's.
  Status add_table(const TableDefinition& table);
  /// Creates the table if missing; otherwise checks the existing one has the same columns (names,
  /// types, nullability, in order) and says which differ.
  Status ensure_table(const TableDefinition& table);
  /// A streaming writer for rows of a table created or checked above. One at a time per extract.
  Result<TableWriter> write_to(const TableName& table);

  /// What a file copy's check found: the rows it counted, or why hyperd may read the file
  /// otherwise than the caller would.
  struct FileCheck {
    std::optional<std::uint64_t> rows;
    std::string doubt;
  };
  /// How copy_file_checked ended: the rows kept, or why none were.
  struct FileCopy {
    std::optional<std::uint64_t> rows;
    std::string why_not;
  };
  /// hyperd's own COPY of `file` into `table` (its columns in order; `with_options`: the COPY's
  /// WITH clause), in a transaction, while `check` reads the file on this thread (`copy_failed` is
  /// set when hyperd's COPY has failed: the check may stop). Kept only when the check passes and counts the rows hyperd
  /// copied; otherwise the COPY is stopped and rolled back, and the table is as it was. Not
  /// while a TableWriter is open.
  Result<FileCopy> copy_file_checked(const TableName& table, const std::filesystem::path& file,
                                     std::string_view with_options,
                                     const std::function<FileCheck(const std::atomic<bool>& copy_failed)>& check);
  /// Runs one SQL statement inside the extract (its tables are "schema"."table"); returns the
  /// affected row count hyperd reports.
  Result<std::uint64_t> execute(std::string_view sql);
  /// Runs one query inside the extract and returns its rows as text.
  Result<QueryResult> query(std::string_view sql);

  /// Creates the schema if it does not exist (for tables made by SQL, CREATE TABLE ... AS).
  Status ensure_schema(const std::string& schema);
  /// Gives a table another name, without copying its rows. Hyper renames tables only within their
  /// schema: into another schema only when the table is alone in its own and the new schema does
  /// not exist yet (the schema is renamed then, and "public" made again if it was that).
  Status rename_table(const TableName& from, const TableName& to);
  /// Removes a table (and its rows) from the extract.
  Status drop_table(const TableName& table);

  // Statements across databases: Hyper resolves unqualified table names in one database only,
  // so SQL that combines this extract with another .hyper file (a pipeline's workspace) attaches
  // that file, chooses where unqualified names resolve, and names this extract's tables with
  // sql_name().

  /// Attaches another .hyper file to this writer's session; returns its quoted alias.
  Result<std::string> attach(const std::filesystem::path& database);
  /// Makes unqualified table names resolve in the database attached as `alias` ("public" schema);
  /// an empty alias means this extract.
  Status resolve_unqualified_in(std::string_view alias);
  /// The fully qualified SQL name of a table of this extract.
  std::string sql_name(const TableName& table) const;
  /// The temporary file the extract is being built in (e.g. for other sessions to attach).
  const std::filesystem::path& working_file() const;

  /// Finishes the file and atomically replaces the target with it.
  Status commit();
  /// Finishes the file (flushed to disk) and moves it to `staged`, leaving the target untouched:
  /// for callers that make several files visible together (a pipeline's commit journal).
  Status commit_as(const std::filesystem::path& staged);

  const std::filesystem::path& target() const;
  int file_version() const;

  struct State;

private:
  explicit ExtractWriter(std::shared_ptr<State> state);
  /// open() and adopt(): `taken_over` empty for open().
  static Result<ExtractWriter> start(HyperEngine& engine, const std::filesystem::path& target, ExtractOptions options,
                                     const std::filesystem::path& taken_over);
  std::shared_ptr<State> m_state;
};

/// Streams rows into one table. HyperBinary encoding on the caller's thread overlaps with hyperd
/// consuming the previous buffer; memory stays bounded by a few buffers.
class TableWriter {
public:
  TableWriter(TableWriter&&) noexcept;
  TableWriter& operator=(TableWriter&&) noexcept;
  ~TableWriter(); ///< without finish(): discards every row written through it

  /// Appends the batch's rows (the batch's columns must match the table's, in order).
  Status write(const ColumnBatch& batch);
  /// Commits the rows to the table and returns how many were written.
  Result<std::uint64_t> finish();
  std::uint64_t rows_written() const;

  struct State;

private:
  friend class ExtractWriter;
  explicit TableWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

/// Makes SIGINT, SIGTERM and SIGHUP remove the temporary files of unfinished extracts (and
/// hyperd's private socket folders) before the process ends (the targets are untouched either way). For programs, like the hyperpipe CLI,
/// that do not handle these signals themselves.
void install_interrupt_cleanup();

} // namespace hyperpipe
