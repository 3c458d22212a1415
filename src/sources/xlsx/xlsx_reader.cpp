#include "sources/xlsx/xlsx_reader.hpp"

#include <expat.h>
#include <fmt/format.h>
#include <zip.h>

#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace hyperpipe::sources {
namespace {

constexpr std::size_t k_read_chunk = 1U << 16U;
constexpr std::int64_t k_micros_per_day = 86'400'000'000;

std::string_view local_name(const char* name) {
  std::string_view view(name);
  const auto colon = view.rfind(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

const char* attribute(const char** attributes, std::string_view wanted) {
  for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
    if (local_name(attributes[i]) == wanted) {
      return attributes[i + 1];
    }
  }
  return nullptr;
}

// A SAX handler: gets element starts and ends and the text inside them.
class XmlHandler {
public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view name, const char** attributes) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view) {}
  /// Set by a handler that wants to stop the parse with an error.
  std::optional<Error> failure;
};

} // namespace

struct XlsxWorkbook::Impl {
  zip_t* archive = nullptr;
  std::string name;
  std::vector<std::string> shared_strings;
  std::set<std::size_t> date_styles; ///< indexes into cellXfs that format numbers as dates
  std::size_t max_value_bytes = std::size_t{64} << 20U;
  ~Impl() {
    if (archive != nullptr) {
      zip_discard(archive);
    }
  }

  bool has_entry(const std::string& entry) const { return zip_name_locate(archive, entry.c_str(), 0) >= 0; }

  // Streams one zip entry through expat into `handler`.
  Status parse(const std::string& entry, XmlHandler& handler) const {
    zip_file_t* file = zip_fopen(archive, entry.c_str(), 0);
    if (file == nullptr) {
      return make_error(ErrorKind::value, fmt::format("{}: the workbook has no part {}", name, entry),
                        "is it a complete .xlsx file?");
    }
    XML_Parser parser = XML_ParserCreate(nullptr);
    // Guards around the handler: one text run (a string, a cell) is bounded, and a DTD — the
    // only way to declare entities, which Excel never writes — stops the parse.
    struct Guarded {
      XmlHandler& handler;
      XML_Parser parser;
      const Impl& impl;
      const std::string& entry;
      std::size_t run = 0; ///< bytes of text in the value being read (a shared string, a cell)
    } guarded{handler, parser, *this, entry};
    XML_SetUserData(parser, &guarded);
    XML_SetElementHandler(
        parser,
        [](void* data, const char* element, const char** attributes) {
          static_cast<Guarded*>(data)->handler.start(local_name(element), attributes);
        },
        [](void* data, const char* element) {
          auto& g = *static_cast<Guarded*>(data);
          const auto element_name = local_name(element);
          if (element_name == "si" || element_name == "c" || element_name == "row") {
            g.run = 0; // a value is complete: its rich-text runs counted together
          }
          g.handler.end(element_name);
        });
    XML_SetCharacterDataHandler(parser, [](void* data, const char* text, int length) {
      auto& g = *static_cast<Guarded*>(data);
      g.run += static_cast<std::size_t>(length);
      if (g.run > g.impl.max_value_bytes && !g.handler.failure) {
        g.handler.failure = make_error(
            ErrorKind::value,
            fmt::format("{}: {} line {}: a text longer than {} MiB", g.impl.name, g.entry,
                        XML_GetCurrentLineNumber(g.parser), g.impl.max_value_bytes >> 20U),
            "the workbook is damaged or built to exhaust memory; if such values are real, raise the limit with "
            "--max-value-mb (max_value_mb: in a pipeline)");
        XML_StopParser(g.parser, XML_FALSE);
        return;
      }
      g.handler.text(std::string_view(text, static_cast<std::size_t>(length)));
    });
    XML_SetStartDoctypeDeclHandler(parser, [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
      auto& g = *static_cast<Guarded*>(data);
      g.handler.failure = make_error(ErrorKind::value,
                                     fmt::format("{}: {} declares a DTD (entities), which Excel never writes", g.impl.name, g.entry),
                                     "save the workbook again from Excel or LibreOffice");
      XML_StopParser(g.parser, XML_FALSE);
    });
    char buffer[k_read_chunk];
    Status status;
    for (;;) {
      const zip_int64_t got = zip_fread(file, buffer, sizeof buffer);
      if (got < 0) {
        status = make_error(ErrorKind::value, fmt::format("{}: cannot read {} from the zip: {}", name, entry,
                                                          zip_error_strerror(zip_file_get_error(file))),
                            "the .xlsx file is damaged or truncated");
        break;
      }
      if (XML_Parse(parser, buffer, static_cast<int>(got), got == 0) == XML_STATUS_ERROR) {
        status = handler.failure ? Status(*handler.failure)
                                 : make_error(ErrorKind::value,
                                              fmt::format("{}: {} line {}: malformed XML: {}", name, entry,
                                                          XML_GetCurrentLineNumber(parser),
                                                          XML_ErrorString(XML_GetErrorCode(parser))));
        break;
      }
      if (handler.failure) {
        status = *handler.failure;
        break;
      }
      if (got == 0) {
        break;
      }
    }
    XML_ParserFree(parser);
    zip_fclose(file);
    return status;
  }
};

namespace {

class WorkbookHandler final : public XmlHandler {
public:
  std::vector<std::pair<std::string, std::string>> sheets; // name, r:id
  bool date1904 = false;
  void start(std::string_view name, const char** attributes) override {
    if (name == "sheet") {
      const char* sheet_name = attribute(attributes, "name");
      const char* id = attribute(attributes, "id");
      sheets.emplace_back(sheet_name != nullptr ? sheet_name : "", id != nullptr ? id : "");
    } else if (name == "workbookPr") {
      const char* flag = attribute(attributes, "date1904");
      date1904 = flag != nullptr && (std::string_view(flag) == "1" || std::string_view(flag) == "true");
    }
  }
  void end(std::string_view) override {}
};

class RelationshipsHandler final : public XmlHandler {
public:
  std::map<std::string, std::string> targets;
  void start(std::string_view name, const char** attributes) override {
    if (name == "Relationship") {
      const char* id = attribute(attributes, "Id");
      const char* target = attribute(attributes, "Target");
      if (id != nullptr && target != nullptr) {
        targets[id] = target;
      }
    }
  }
  void end(std::string_view) override {}
};

class SharedStringsHandler final : public XmlHandler {
public:
  std::vector<std::string>& strings;
  explicit SharedStringsHandler(std::vector<std::string>& out) : strings(out) {}
  void start(std::string_view name, const char**) override {
    if (name == "si") {
      m_current.clear();
      m_in_item = true;
    } else if (name == "t" && m_in_item) {
      m_in_text = true;
    } else if (name == "rPh") {
      m_in_phonetic = true; // furigana runs are not part of the value
    }
  }
  void end(std::string_view name) override {
    if (name == "si") {
      strings.push_back(std::move(m_current));
      m_in_item = false;
    } else if (name == "t") {
      m_in_text = false;
    } else if (name == "rPh") {
      m_in_phonetic = false;
    }
  }
  void text(std::string_view text) override {
    if (m_in_text && !m_in_phonetic) {
      m_current.append(text);
    }
  }

private:
  std::string m_current;
  bool m_in_item = false;
  bool m_in_text = false;
  bool m_in_phonetic = false;
};

class StylesHandler final : public XmlHandler {
public:
  std::map<int, std::string> custom_formats;
  std::vector<int> cell_formats; // cellXfs: numFmtId per style index
  void start(std::string_view name, const char** attributes) override {
    if (name == "numFmt") {
      const char* id = attribute(attributes, "numFmtId");
      const char* code = attribute(attributes, "formatCode");
      if (id != nullptr && code != nullptr) {
        custom_formats[std::atoi(id)] = code;
      }
    } else if (name == "cellXfs") {
      m_in_cell_xfs = true;
    } else if (name == "xf" && m_in_cell_xfs) {
      const char* id = attribute(attributes, "numFmtId");
      cell_formats.push_back(id != nullptr ? std::atoi(id) : 0);
    }
  }
  void end(std::string_view name) override {
    if (name == "cellXfs") {
      m_in_cell_xfs = false;
    }
  }

private:
  bool m_in_cell_xfs = false;
};

// Built-in number formats 14-22 and 45-47 are dates and times (ECMA-376 §18.8.30).
bool is_builtin_date_format(int id) { return (id >= 14 && id <= 22) || (id >= 45 && id <= 47); }

class SheetHandler final : public XmlHandler {
public:
  SheetHandler(const XlsxWorkbook::Impl& impl, const std::string& part,
               const std::function<Status(std::uint64_t, const std::vector<XlsxCell>&)>& visit)
      : m_impl(impl), m_part(part), m_visit(visit) {}

  void start(std::string_view name, const char** attributes) override {
    if (name == "row") {
      const char* number = attribute(attributes, "r");
      m_row = number != nullptr ? std::strtoull(number, nullptr, 10) : m_row + 1;
      m_cells.clear();
      m_next_column = 0;
    } else if (name == "c") {
      const char* reference = attribute(attributes, "r");
      const auto column = reference != nullptr ? column_of_reference(reference) : std::optional(m_next_column);
      m_column = column.value_or(m_next_column);
      m_next_column = m_column + 1;
      const char* type = attribute(attributes, "t");
      m_type = type != nullptr ? type : "n";
      const char* style = attribute(attributes, "s");
      m_date_style = style != nullptr && m_impl.date_styles.contains(static_cast<std::size_t>(std::atoi(style)));
      m_value.clear();
      m_in_cell = true;
    } else if ((name == "v" || name == "t") && m_in_cell) {
      m_in_value = true;
    }
  }

  void end(std::string_view name) override {
    if (name == "v" || name == "t") {
      m_in_value = false;
    } else if (name == "c") {
      m_in_cell = false;
      finish_cell();
    } else if (name == "row" && !failure) {
      if (!m_cells.empty()) {
        auto visited = m_visit(m_row, m_cells);
        if (!visited) {
          failure = std::move(visited).error();
        }
      }
    }
  }

  void text(std::string_view text) override {
    if (m_in_value) {
      m_value.append(text);
    }
  }

private:
  void finish_cell() {
    XlsxCell cell;
    if (m_type == "s") {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(m_value.data(), m_value.data() + m_value.size(), index);
      if (ec != std::errc() || index >= m_impl.shared_strings.size()) {
        failure = make_error(ErrorKind::value, fmt::format("{}: {} row {}: shared string {} does not exist",
                                                           m_impl.name, m_part, m_row, m_value));
        return;
      }
      cell.kind = XlsxCell::Kind::text;
      cell.text = m_impl.shared_strings[index];
    } else if (m_type == "inlineStr" || m_type == "str" || m_type == "d") {
      // t="d" holds an ISO 8601 date as text; type inference reads it as a date or timestamp.
      cell.kind = XlsxCell::Kind::text;
      cell.text = m_value;
    } else if (m_type == "b") {
      cell.kind = XlsxCell::Kind::boolean;
      cell.boolean = m_value == "1";
    } else if (m_type == "e") {
      cell.kind = XlsxCell::Kind::error;
      cell.text = m_value;
    } else if (m_value.empty()) {
      return; // a styled but empty cell
    } else {
      double number = 0;
      const auto [end, ec] = std::from_chars(m_value.data(), m_value.data() + m_value.size(), number);
      if (ec != std::errc() || end != m_value.data() + m_value.size()) {
        failure = make_error(ErrorKind::value, fmt::format("{}: {} row {}: \"{}\" is not a number", m_impl.name,
                                                           m_part, m_row, m_value));
        return;
      }
      // Excel's calendar ends at serial 2958465 (9999-12-31): beyond it a date style is ignored.
      constexpr double k_last_excel_day = 2958466.0;
      cell.kind = m_date_style && number >= 0 && number < k_last_excel_day ? XlsxCell::Kind::date : XlsxCell::Kind::number;
      cell.number = number;
      cell.text = m_value;
    }
    if (m_cells.size() <= m_column) {
      m_cells.resize(m_column + 1);
    }
    m_cells[m_column] = std::move(cell);
  }

  const XlsxWorkbook::Impl& m_impl;
  const std::string& m_part;
  const std::function<Status(std::uint64_t, const std::vector<XlsxCell>&)>& m_visit;
  std::vector<XlsxCell> m_cells;
  std::uint64_t m_row = 0;
  std::size_t m_column = 0;
  std::size_t m_next_column = 0;
  std::string m_type;
  std::string m_value;
  bool m_date_style = false;
  bool m_in_cell = false;
  bool m_in_value = false;
};

} // namespace

std::optional<std::size_t> column_of_reference(std::string_view reference) {
  std::size_t column = 0;
  std::size_t letters = 0;
  for (char c : reference) {
    if (c >= 'A' && c <= 'Z') {
      column = column * 26 + static_cast<std::size_t>(c - 'A' + 1);
      if (++letters > 3) {
        return std::nullopt; // XFD (16384) is the last column
      }
    } else {
      break;
    }
  }
  if (letters == 0) {
    return std::nullopt;
  }
  return column - 1;
}

bool is_date_format(std::string_view code) {
  // Ignore quoted literals, escaped characters and [..] sections (colours, locales) except
  // elapsed-time brackets such as [h].
  bool in_quotes = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (in_quotes) {
      in_quotes = c != '"';
      continue;
    }
    if (c == '"') {
      in_quotes = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const auto close = code.find(']', i);
      const std::string_view inside = code.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
      if (!inside.empty() && (inside[0] == 'h' || inside[0] == 'm' || inside[0] == 's')) {
        return true;
      }
      i = close == std::string_view::npos ? code.size() : close;
    } else if (c == 'y' || c == 'd' || c == 'h' || c == 's' || c == 'Y' || c == 'D' || c == 'H' || c == 'S' ||
               c == 'm' || c == 'M') {
      return true;
    }
  }
  return false;
}

XlsxWorkbook::~XlsxWorkbook() = default;

Result<std::unique_ptr<XlsxWorkbook>> XlsxWorkbook::open(const std::filesystem::path& path, std::size_t max_value_bytes) {
  std::unique_ptr<XlsxWorkbook> workbook(new XlsxWorkbook());
  workbook->m_name = path.string();
  workbook->m_impl = std::make_unique<Impl>();
  Impl& impl = *workbook->m_impl;
  impl.name = path.string();
  impl.max_value_bytes = max_value_bytes;
  int error_code = 0;
  impl.archive = zip_open(path.c_str(), ZIP_RDONLY, &error_code);
  if (impl.archive == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    Error failure = make_error(error_code == ZIP_ER_NOENT ? ErrorKind::not_found : ErrorKind::value,
                               fmt::format("{}: not a readable .xlsx (zip) file: {}", impl.name, zip_error_strerror(&error)),
                               "is it a complete .xlsx file? Old binary .xls files must be saved as .xlsx first");
    zip_error_fini(&error);
    return failure;
  }
  WorkbookHandler book;
  HP_TRY(impl.parse("xl/workbook.xml", book));
  workbook->m_date1904 = book.date1904;
  RelationshipsHandler relationships;
  HP_TRY(impl.parse("xl/_rels/workbook.xml.rels", relationships));
  for (const auto& [name, id] : book.sheets) {
    const auto target = relationships.targets.find(id);
    if (target == relationships.targets.end()) {
      return make_error(ErrorKind::value, fmt::format("{}: sheet \"{}\" has no part", impl.name, name));
    }
    std::string part = target->second;
    part = part.starts_with('/') ? part.substr(1) : "xl/" + part;
    workbook->m_sheets.push_back({name, part});
  }
  if (impl.has_entry("xl/sharedStrings.xml")) {
    SharedStringsHandler strings(impl.shared_strings);
    HP_TRY(impl.parse("xl/sharedStrings.xml", strings));
  }
  if (impl.has_entry("xl/styles.xml")) {
    StylesHandler styles;
    HP_TRY(impl.parse("xl/styles.xml", styles));
    for (std::size_t i = 0; i < styles.cell_formats.size(); ++i) {
      const int id = styles.cell_formats[i];
      const auto custom = styles.custom_formats.find(id);
      if (is_builtin_date_format(id) || (custom != styles.custom_formats.end() && is_date_format(custom->second))) {
        impl.date_styles.insert(i);
      }
    }
  }
  return workbook;
}

Status XlsxWorkbook::read_sheet(const XlsxSheetInfo& sheet,
                                const std::function<Status(std::uint64_t, const std::vector<XlsxCell>&)>& visit) const {
  SheetHandler handler(*m_impl, sheet.part, visit);
  return m_impl->parse(sheet.part, handler);
}

Timestamp XlsxWorkbook::serial_to_timestamp(double serial) const {
  // 1900 system: day 1 is 1900-01-01 and day 60 the non-existent 1900-02-29 (Lotus 1-2-3's leap
  // year bug, kept by Excel), so from day 61 on, days count from 1899-12-30.
  const std::int64_t epoch_days = m_date1904 ? -24107 /* 1904-01-01 */ : (serial < 61 ? -25568 : -25569);
  const auto micros = static_cast<std::int64_t>(std::llround(serial * 86'400'000'000.0));
  return Timestamp{epoch_days * k_micros_per_day + micros};
}

} // namespace hyperpipe::sources
