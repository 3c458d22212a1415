#include "sources/xlsx/xlsx_source.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include "sources/column_names.hpp"

namespace hyperpipe::sources {
namespace {

constexpr std::size_t k_batch_rows = 65'536;
constexpr std::int64_t k_micros_per_day = 86'400'000'000;

std::string column_letters(std::size_t column) {
  std::string letters;
  for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return letters;
}

std::string cell_name(std::size_t column, std::uint64_t row) { return fmt::format("{}{}", column_letters(column), row); }

bool is_whole(double value) { return std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15; }

// A date cell's value as ISO text: a date when it is a whole day, else a timestamp.
std::string date_text(const XlsxWorkbook& workbook, double serial) {
  const Timestamp timestamp = workbook.serial_to_timestamp(serial);
  const std::int64_t days = timestamp.micros_since_epoch / k_micros_per_day -
                            (timestamp.micros_since_epoch % k_micros_per_day < 0 ? 1 : 0);
  std::int64_t micros = timestamp.micros_since_epoch - days * k_micros_per_day;
  const auto ymd = std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
  std::string text = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                 static_cast<unsigned>(ymd.day()));
  if (is_whole(serial)) {
    return text;
  }
  const std::int64_t seconds = micros / 1'000'000;
  micros %= 1'000'000;
  text += fmt::format(" {:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (micros != 0) {
    text += fmt::format(".{:06}", micros);
  }
  return text;
}

// The text a cell converts from, for types parsed from text.
std::string cell_text(const XlsxWorkbook& workbook, const XlsxCell& cell) {
  switch (cell.kind) {
  case XlsxCell::Kind::boolean: return cell.boolean ? "true" : "false";
  case XlsxCell::Kind::date: return date_text(workbook, cell.number);
  default: return cell.text;
  }
}

} // namespace

Result<std::vector<XlsxSheetInfo>> select_sheets(const XlsxWorkbook& workbook, const XlsxOptions& options,
                                                 const std::string& file_name) {
  const auto& sheets = workbook.sheets();
  if (sheets.empty()) {
    return make_error(ErrorKind::value, fmt::format("{}: the workbook has no sheets", file_name));
  }
  if (options.all_sheets) {
    return sheets;
  }
  if (options.sheet.empty()) {
    return std::vector<XlsxSheetInfo>{sheets.front()};
  }
  for (const auto& sheet : sheets) {
    if (sheet.name == options.sheet) {
      return std::vector<XlsxSheetInfo>{sheet};
    }
  }
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(options.sheet.data(), options.sheet.data() + options.sheet.size(), index);
  if (ec == std::errc() && end == options.sheet.data() + options.sheet.size() && index >= 1 && index <= sheets.size()) {
    return std::vector<XlsxSheetInfo>{sheets[index - 1]};
  }
  std::vector<std::string> names;
  for (const auto& sheet : sheets) {
    names.push_back("\"" + sheet.name + "\"");
  }
  return make_error(ErrorKind::invalid_argument,
                    fmt::format("{}: no sheet \"{}\"; the sheets are {}", file_name, options.sheet, fmt::join(names, ", ")),
                    "pass --sheet with a name or a 1-based index, or --all-sheets");
}

Result<std::unique_ptr<XlsxSheetSource>> XlsxSheetSource::open(const XlsxWorkbook& workbook, const XlsxSheetInfo& sheet,
                                                               const XlsxOptions& options, const std::string& file_name) {
  std::unique_ptr<XlsxSheetSource> source(new XlsxSheetSource(workbook, sheet));
  source->m_options = options;
  source->m_file = file_name;
  std::vector<std::string> header;
  std::uint64_t errors = 0;
  std::string first_error;
  std::vector<bool> text_cells; ///< per column: some of its values are text cells
  NumberFormatDetector numbers;
  std::vector<DateLayoutDetector> dates;
  // One pass types every column; `values` (per column, empty: the sheet's options) reads text cells.
  const auto scan = [&](bool detect) -> Status {
    header.clear();
    errors = 0;
    source->m_header_row = 0;
    source->m_rows = 0;
    source->m_inferences.clear();
    return workbook.read_sheet(sheet, [&](std::uint64_t row, const std::vector<XlsxCell>& cells) -> Status {
      if (options.header && source->m_header_row == 0) {
        source->m_header_row = row;
        for (const auto& cell : cells) {
          header.push_back(cell_text(workbook, cell));
        }
        return {};
      }
      ++source->m_rows;
      if (source->m_inferences.size() < cells.size()) {
        source->m_inferences.resize(cells.size());
        text_cells.resize(cells.size());
        dates.resize(cells.size());
      }
      for (std::size_t c = 0; c < cells.size(); ++c) {
        const XlsxCell& cell = cells[c];
        TypeInference& inference = source->m_inferences[c];
        switch (cell.kind) {
        case XlsxCell::Kind::empty: break;
        case XlsxCell::Kind::error:
          if (errors++ == 0) {
            first_error = fmt::format("{} ({})", cell_name(c, row), cell.text);
          }
          break;
        case XlsxCell::Kind::number:
          if (is_whole(cell.number)) {
            inference.observe_integer(static_cast<std::int64_t>(cell.number));
          } else {
            inference.observe_floating();
          }
          break;
        case XlsxCell::Kind::date:
          // Whole days are dates; anything with a time of day makes the column a timestamp.
          if (is_whole(cell.number)) {
            inference.observe_string("2000-01-01", {});
          } else {
            inference.observe_string("2000-01-01 00:00:00", {});
          }
          break;
        case XlsxCell::Kind::text:
          // Numbers, dates and yes/no kept as text cells (common in exported sheets) are typed
          // when the whole column agrees, as in a CSV file; one other text makes it text.
          inference.observe(cell.text, c < source->m_column_values.size() ? source->m_column_values[c] : options.values);
          text_cells[c] = true;
          if (detect) {
            numbers.observe(cell.text);
            dates[c].observe(cell.text);
          }
          break;
        case XlsxCell::Kind::boolean: inference.observe(cell.boolean ? "true" : "false", {}); break;
        }
      }
      return {};
    });
  };
  HP_TRY(scan(true));
  // Text cells in a regional format ("1.234,50", "25/12/2026") that left a column text: the sheet
  // is scanned again with the conventions its text cells revealed (never for sheets of real
  // number and date cells, which need none).
  std::vector<std::string> number_notes;
  const NumberFormat format = numbers.result(options.regional, number_notes);
  dates.resize(source->m_inferences.size());
  std::vector<TextValueOptions> values;
  const bool regional = regional_value_options(options.values, format, dates, options.regional, values);
  bool text_left = false;
  for (std::size_t c = 0; c < source->m_inferences.size(); ++c) {
    text_left = text_left || (text_cells[c] && source->m_inferences[c].type() == SqlType::text());
  }
  if (regional && text_left) {
    source->m_column_values = std::move(values);
    HP_TRY(scan(false));
    source->m_notes.insert(source->m_notes.end(), number_notes.begin(), number_notes.end());
  }
  if (source->m_rows == 0) {
    return make_error(ErrorKind::value, fmt::format("{}: sheet \"{}\" has no data rows", file_name, sheet.name));
  }
  const std::size_t width = std::max(header.size(), source->m_inferences.size());
  source->m_inferences.resize(width);
  header.resize(width);
  HP_ASSIGN_OR_RETURN(source->m_names,
                      clean_column_names(header, source->m_notes, fmt::format("{}: sheet \"{}\", row 1", file_name, sheet.name)));
  source->m_notes.insert(source->m_notes.begin(),
                         fmt::format("sheet \"{}\"{}", sheet.name, workbook.uses_1904_dates() ? ", 1904 dates" : ""));
  text_cells.resize(width);
  dates.resize(width);
  for (std::size_t c = 0; c < width; ++c) {
    if (!source->m_column_values.empty()) {
      (void)dates[c].result(options.regional, source->m_names[c], source->m_notes);
    }
    const SqlType type = source->m_inferences[c].type();
    if (text_cells[c] && type != SqlType::text()) {
      source->m_notes.push_back(fmt::format("column \"{}\": text cells read as {} (every value of the column is one)",
                                            source->m_names[c], type.sql()));
    }
  }
  if (errors > 0) {
    source->m_notes.push_back(fmt::format("{} error cell{} loaded as NULL, the first at {}", errors,
                                          errors == 1 ? "" : "s", first_error));
  }
  return source;
}

std::vector<ColumnDefinition> XlsxSheetSource::columns() const {
  std::vector<ColumnDefinition> columns;
  for (std::size_t c = 0; c < m_names.size(); ++c) {
    columns.push_back({m_names[c], m_inferences[c].type(), Nullability::nullable, {}});
  }
  return columns;
}

Result<std::uint64_t> XlsxSheetSource::read(const TableDefinition& definition,
                                             const std::function<Status(const ColumnBatch&)>& write,
                                             RejectSink& rejects) const {
  ColumnBatch batch(definition);
  const std::size_t width = definition.columns.size();
  std::uint64_t rejected = 0;
  HP_TRY(m_workbook.read_sheet(m_sheet, [&](std::uint64_t row, const std::vector<XlsxCell>& cells) -> Status {
    if (row == m_header_row) {
      return {};
    }
    const std::size_t rows_before = batch.row_count();
    for (std::size_t c = 0; c < width; ++c) {
      Column& column = batch.column(c);
      const XlsxCell* cell = c < cells.size() ? &cells[c] : nullptr;
      if (cell == nullptr || cell->kind == XlsxCell::Kind::empty || cell->kind == XlsxCell::Kind::error) {
        HP_TRY(column.append_null());
        continue;
      }
      const TypeKind kind = column.definition().type.kind();
      Status appended;
      if (cell->kind == XlsxCell::Kind::number && kind == TypeKind::double_precision) {
        appended = column.append_double(cell->number);
      } else if (cell->kind == XlsxCell::Kind::number && is_whole(cell->number) &&
                 (kind == TypeKind::integer || kind == TypeKind::big_int)) {
        appended = column.append_int(static_cast<std::int64_t>(cell->number));
      } else if (cell->kind == XlsxCell::Kind::date && kind == TypeKind::timestamp) {
        appended = column.append_timestamp(m_workbook.serial_to_timestamp(cell->number));
      } else if (cell->kind == XlsxCell::Kind::date && kind == TypeKind::date && is_whole(cell->number)) {
        appended = column.append_date(
            Date{static_cast<std::int32_t>(m_workbook.serial_to_timestamp(cell->number).micros_since_epoch / k_micros_per_day)});
      } else if (cell->kind == XlsxCell::Kind::text && kind == TypeKind::text) {
        appended = column.append_text(cell->text);
      } else if (cell->kind == XlsxCell::Kind::boolean && kind == TypeKind::boolean) {
        appended = column.append_bool(cell->boolean);
      } else if (cell->kind == XlsxCell::Kind::number && kind == TypeKind::text) {
        appended = column.append_text(cell->text);
      } else {
        appended = append_text_value(column, cell_text(m_workbook, *cell),
                                     c < m_column_values.size() ? m_column_values[c] : m_options.values);
      }
      if (!appended) {
        for (std::size_t j = 0; j < width; ++j) {
          batch.column(j).truncate(rows_before); // the row goes whole or not at all
        }
        std::vector<std::string> fields;
        for (const auto& each : cells) {
          fields.push_back(cell_text(m_workbook, each));
        }
        ++rejected;
        return rejects.reject(RejectedRow{
            m_file, row,
            fmt::format("sheet \"{}\", cell {}: column \"{}\" ({}): {}", m_sheet.name, cell_name(c, row),
                        column.definition().name, column.definition().type.sql(),
                        appended.error().detail.empty() ? appended.error().message : appended.error().detail),
            std::move(fields)});
      }
    }
    if (batch.row_count() >= k_batch_rows) {
      HP_TRY(write(batch));
      batch.clear();
    }
    return {};
  }));
  if (batch.row_count() > 0) {
    HP_TRY(write(batch));
  }
  return rejected;
}

Result<std::unique_ptr<XlsxSource>> XlsxSource::open(const std::filesystem::path& path, const XlsxOptions& options) {
  std::unique_ptr<XlsxSource> source(new XlsxSource());
  source->m_name = path.string();
  source->m_all_sheets = options.all_sheets;
  HP_ASSIGN_OR_RETURN(source->m_workbook, XlsxWorkbook::open(path, options.values.max_value_bytes));
  HP_ASSIGN_OR_RETURN(auto sheets, select_sheets(*source->m_workbook, options, source->m_name));
  for (const auto& sheet : sheets) {
    HP_ASSIGN_OR_RETURN(auto opened, XlsxSheetSource::open(*source->m_workbook, sheet, options, source->m_name));
    source->m_sheets.push_back(std::move(opened));
  }
  return source;
}

std::vector<SourceTable> XlsxSource::tables(const TableName& root) const {
  std::vector<SourceTable> tables;
  for (const auto& sheet : m_sheets) {
    const TableName name = m_all_sheets ? TableName{root.schema, sheet->sheet().name} : root;
    tables.push_back({{name, sheet->columns(), {}, {}}, {}, false, sheet->notes()});
  }
  return tables;
}

Result<TableRead> XlsxSource::read(std::size_t index, const TableDefinition& definition, const std::vector<bool>&,
                                   const BatchSink& sink, RejectSink& rejects) {
  const XlsxSheetSource& sheet = *m_sheets.at(index);
  HP_ASSIGN_OR_RETURN(std::uint64_t rejected, sheet.read(definition, sink, rejects));
  return TableRead{sheet.rows(), rejected, std::nullopt, {}};
}

} // namespace hyperpipe::sources
