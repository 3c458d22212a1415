#pragma once
// An Excel sheet as a table: the header row names the columns, cell types decide column types
// (numbers, dates by their number format, text, booleans), error cells (#N/A, #DIV/0!) become
// NULL with a note saying where.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "sources/rejects.hpp"
#include "sources/row_source.hpp"
#include "sources/text/regional.hpp"
#include "sources/text/text_values.hpp"
#include "sources/text/type_inference.hpp"
#include "sources/xlsx/xlsx_reader.hpp"

namespace hyperpipe::sources {

struct XlsxOptions {
  std::string sheet;       ///< a sheet name or 1-based index; empty: the first sheet
  bool all_sheets = false; ///< every sheet into its own table
  bool header = true;      ///< the first non-empty row names the columns
  TextValueOptions values;
  /// For text cells in a regional format: what is set wins over detection.
  RegionalSettings regional;
};

class XlsxSheetSource {
public:
  /// Scans the sheet once to name and type its columns.
  static Result<std::unique_ptr<XlsxSheetSource>> open(const XlsxWorkbook& workbook, const XlsxSheetInfo& sheet,
                                                       const XlsxOptions& options, const std::string& file_name);

  const XlsxSheetInfo& sheet() const { return m_sheet; }
  std::vector<ColumnDefinition> columns() const;
  const std::vector<std::string>& notes() const { return m_notes; }
  std::uint64_t rows() const { return m_rows; }

  /// Reads the sheet again, converting rows into batches of `definition`'s columns. A row with a
  /// value its column cannot hold (possible only with overridden types) goes to `rejects`;
  /// returns how many did.
  Result<std::uint64_t> read(const TableDefinition& definition, const std::function<Status(const ColumnBatch&)>& write,
                             RejectSink& rejects) const;

private:
  XlsxSheetSource(const XlsxWorkbook& workbook, XlsxSheetInfo sheet) : m_workbook(workbook), m_sheet(std::move(sheet)) {}
  const XlsxWorkbook& m_workbook;
  XlsxSheetInfo m_sheet;
  XlsxOptions m_options;
  std::string m_file;
  std::uint64_t m_header_row = 0; ///< 0: no header
  std::vector<std::string> m_names;
  std::vector<TypeInference> m_inferences;
  /// Per column, how its text cells are read, when they revealed regional conventions; else empty.
  std::vector<TextValueOptions> m_column_values;
  std::vector<std::string> m_notes;
  std::uint64_t m_rows = 0;
};

/// A workbook's selected sheets as a row source: one table per sheet, each scanned once for its
/// types when opened and read again when its rows are wanted.
class XlsxSource final : public RowSource {
public:
  static Result<std::unique_ptr<XlsxSource>> open(const std::filesystem::path& path, const XlsxOptions& options);
  const std::string& name() const override { return m_name; }
  /// The sheet's table is `root`; with every sheet, each is named after its sheet in root's schema.
  std::vector<SourceTable> tables(const TableName& root) const override;
  Result<TableRead> read(std::size_t index, const TableDefinition& definition, const std::vector<bool>& provisional,
                         const BatchSink& sink, RejectSink& rejects) override;

private:
  XlsxSource() = default;
  std::string m_name;
  bool m_all_sheets = false;
  std::unique_ptr<XlsxWorkbook> m_workbook; ///< the sheets read through it
  std::vector<std::unique_ptr<XlsxSheetSource>> m_sheets;
};

/// Which sheets `options` selects, with a clear error for a name or index that does not exist.
Result<std::vector<XlsxSheetInfo>> select_sheets(const XlsxWorkbook& workbook, const XlsxOptions& options,
                                                 const std::string& file_name);

} // namespace hyperpipe::sources
