#pragma once
// JSON and NDJSON files as tables. Records are a top-level array, one object per line (NDJSON),
// or an array under a path in a payload ("items", "data.results"). Nested objects flatten into
// dotted column names ("owner.name"); arrays of objects become child tables that carry their
// parent's row id, related by ASSUMED keys so Tableau joins them.
//
// Every table gets a "_row_id" (1, 2, ... in file order) as its ASSUMED PRIMARY KEY; child
// tables add "_parent_row_id" referencing their parent's "_row_id".

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "io/input_stream.hpp"
#include "sources/rejects.hpp"
#include "sources/row_source.hpp"
#include "sources/text/text_values.hpp"
#include "sources/text/type_inference.hpp"

namespace hyperpipe::sources {

struct JsonOptions {
  /// Dotted path to the records array inside a JSON object ("items"); empty: the file is an
  /// array of records, or NDJSON.
  std::string records_path;
  /// Nested objects deeper than this are stored as JSON text in one column.
  int max_depth = 10;
  TextValueOptions values;
  io::TextEncoding encoding = io::TextEncoding::automatic;
};

/// One table the file produces (the root, or a child from an array of objects).
struct JsonTablePlan {
  std::string path;           ///< "" for the root; dotted path of the array for a child
  std::size_t parent = 0;     ///< index of the parent table (unused for the root)
  std::vector<std::string> columns;       ///< flattened names, in the order first seen
  std::vector<TypeInference> inferences;  ///< per column
  /// Per column: left out of the table. A field that is null wherever it is not an object
  /// ("address": null beside "address": {"city": ...}) lives on as its nested columns only.
  std::vector<bool> omitted;
  /// Per column, its name in the table: the flattened name, made unique ("" when omitted).
  std::vector<std::string> names;
};

class JsonSource final : public RowSource {
public:
  /// Reads the file and discovers its tables, columns and types (one pass over every record).
  static Result<std::unique_ptr<JsonSource>> open(const std::filesystem::path& path, const JsonOptions& options);

  const std::string& name() const override { return m_name; }
  const std::vector<JsonTablePlan>& tables() const { return m_tables; }
  std::uint64_t records() const { return m_records; }
  /// What the reader did that a person should know (big integers, keys named twice).
  const std::vector<std::string>& notes() const { return m_notes; }

  /// The root named `root`, children named "<root>_<path>" in its schema.
  std::vector<SourceTable> tables(const TableName& root) const override;
  /// Reads every record again and delivers table `index`'s rows. A row with a value its column
  /// cannot hold (possible only with overridden types) goes to `rejects`.
  Result<TableRead> read(std::size_t index, const TableDefinition& definition, const std::vector<bool>& provisional,
                         const BatchSink& sink, RejectSink& rejects) override;
  ~JsonSource();

  struct Impl;
  friend class JsonInference;

private:
  std::vector<TableDefinition> table_definitions(const TableName& root) const;
  /// After the discovery pass: marks columns that live on only as nested ones; needs a record.
  Status finish_discovery(std::uint64_t records);
  Status name_columns();

public:

private:
  JsonSource() = default;
  std::string m_name;
  std::vector<JsonTablePlan> m_tables;
  std::uint64_t m_records = 0;
  std::vector<std::string> m_notes;
  std::unique_ptr<Impl> m_impl;
};

/// The discovery pass fed one record at a time, as a web API delivers them, while the same
/// records are written one per line to an NDJSON file; finish() then opens that file as a
/// JsonSource without reading it a first time.
class JsonInference {
public:
  explicit JsonInference(const JsonOptions& options);
  ~JsonInference();
  JsonInference(const JsonInference&) = delete;
  JsonInference& operator=(const JsonInference&) = delete;

  /// One record's JSON text (an object).
  Status add(std::string_view record);
  /// The source reading `ndjson`, which holds exactly the records added, in order.
  Result<std::unique_ptr<JsonSource>> finish(const std::filesystem::path& ndjson);

  struct State;

private:
  std::unique_ptr<State> m_state;
};

} // namespace hyperpipe::sources
