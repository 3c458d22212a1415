#pragma once
// Reading .xlsx workbooks without loading them whole: the zip is opened with libzip and each
// part's XML is streamed through expat, so a sheet of any size costs only its shared strings
// and one row at a time.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"
#include "hyperpipe/values.hpp"

namespace hyperpipe::sources {

/// One cell, as the workbook stores it.
struct XlsxCell {
  enum class Kind { empty, number, date, text, boolean, error };
  Kind kind = Kind::empty;
  std::string text;     ///< number as written, string value, or error code (#N/A)
  double number = 0;    ///< for number and date
  bool boolean = false;
};

struct XlsxSheetInfo {
  std::string name;
  std::string part; ///< zip entry, e.g. xl/worksheets/sheet1.xml
};

class XlsxWorkbook {
public:
  /// Opens the workbook and reads its sheet list, shared strings and date styles. A text over
  /// `max_value_bytes` (a zip bomb's shared string) and a part that declares a DTD (entities:
  /// nothing Excel writes) are errors.
  static Result<std::unique_ptr<XlsxWorkbook>> open(const std::filesystem::path& path,
                                                     std::size_t max_value_bytes = std::size_t{64} << 20U);
  ~XlsxWorkbook();

  const std::vector<XlsxSheetInfo>& sheets() const { return m_sheets; }
  /// Dates count from 1904-01-01 instead of 1899-12-30 (old Mac workbooks).
  bool uses_1904_dates() const { return m_date1904; }

  /// Streams a sheet's rows in order: `row` is the 1-based row number, `cells` indexed by
  /// column (missing cells are empty). Rows with no cells are not reported.
  Status read_sheet(const XlsxSheetInfo& sheet,
                    const std::function<Status(std::uint64_t row, const std::vector<XlsxCell>& cells)>& visit) const;

  /// The date or timestamp an Excel serial number stands for in this workbook.
  Timestamp serial_to_timestamp(double serial) const;

  struct Impl;

private:
  XlsxWorkbook() = default;
  std::string m_name;
  std::vector<XlsxSheetInfo> m_sheets;
  bool m_date1904 = false;
  std::unique_ptr<Impl> m_impl;
};

/// "A1" -> column 0, "AB12" -> column 27; nothing for a malformed reference.
std::optional<std::size_t> column_of_reference(std::string_view reference);

/// Whether a number format code shows a date or time ("yyyy-mm-dd", "h:mm", "[$-409]d/m/yy").
bool is_date_format(std::string_view format_code);

} // namespace hyperpipe::sources
