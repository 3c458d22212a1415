#include "sources/csv/csv_source.hpp"

#include <fmt/format.h>

#include "base/utf8.hpp"
#include "sources/column_names.hpp"
#include "sources/csv/csv_sniffer.hpp"
#include "sources/csv/tail_sample.hpp"

namespace hyperpipe::sources {
namespace {

constexpr std::size_t k_sniff_bytes = 64 * 1024;

std::string describe_delimiter(char c) {
  return c == '\t' ? "tab" : fmt::format("'{}'", c);
}

std::vector<std::string> record_fields(const CsvRecord& record) {
  return {record.fields.begin(), record.fields.end()};
}

bool is_blank_record(const CsvRecord& record) {
  return record.fields.size() == 1 && record.fields[0].empty() && !record.quoted[0];
}

} // namespace

bool CsvSource::is_null(std::string_view field, bool quoted) const {
  if (quoted) {
    return false;
  }
  if (field.empty()) {
    return true;
  }
  for (const auto& token : m_options.null_tokens) {
    if (field == token) {
      return true;
    }
  }
  return false;
}

Result<std::unique_ptr<CsvSource>> CsvSource::open(const std::filesystem::path& path, const CsvOptions& options) {
  std::unique_ptr<CsvSource> source(new CsvSource());
  source->m_name = path.string();
  source->m_path = std::filesystem::absolute(path);
  source->m_options = options;

  io::TextEncoding encoding = options.encoding;
  if (encoding == io::TextEncoding::automatic) {
    HP_ASSIGN_OR_RETURN(encoding, io::resolve_automatic_encoding(path));
    if (encoding == io::TextEncoding::windows1252) {
      source->m_notes.emplace_back("not UTF-8: read as Windows-1252 (Excel's encoding on Windows); say --encoding to choose");
    }
  }
  source->m_options.encoding = encoding;

  // Sniff from the first decoded bytes, then read again from the start.
  HP_ASSIGN_OR_RETURN(auto sniff_input, io::open_text_input(path, encoding));
  std::string sample(k_sniff_bytes, '\0');
  std::size_t have = 0;
  while (have < sample.size()) {
    HP_ASSIGN_OR_RETURN(std::size_t got, sniff_input->read(sample.data() + have, sample.size() - have));
    if (got == 0) {
      break;
    }
    have += got;
  }
  sample.resize(have);
  if (sample.find_first_not_of(" \t\r\n") == std::string::npos) {
    return make_error(ErrorKind::value, fmt::format("{}: the file is empty", source->m_name),
                      "check the export that produced it");
  }
  const std::optional<char> separator_line = excel_separator_line(sample);
  CsvDialect dialect = sniff_dialect(separator_line ? after_first_line(sample) : std::string_view(sample));
  if (separator_line) {
    dialect.delimiter = *separator_line;
    source->m_separator_line = true;
    source->m_notes.push_back(fmt::format("the first line \"sep={}\" (Excel's) names the delimiter; it is not data",
                                          *separator_line));
  }
  if (options.delimiter) dialect.delimiter = *options.delimiter;
  if (options.quote) {
    // A chosen quote escapes itself by doubling unless another escape is chosen too.
    dialect.quote = *options.quote;
    dialect.escape = *options.quote;
  }
  if (options.escape) dialect.escape = *options.escape;
  source->m_dialect = dialect;

  std::atomic<std::uint64_t> head_bytes{0}; // how far the first sample read, at most
  HP_ASSIGN_OR_RETURN(auto input, io::open_text_input(path, encoding, head_bytes));
  source->m_reader = std::make_unique<CsvReader>(std::move(input), dialect, source->m_name, options.values.max_value_bytes);
  CsvReader& reader = *source->m_reader;

  // The first record, then a sample of data rows, kept for inference.
  CsvRecord first;
  HP_TRY(source->skip_separator_line(reader));
  do {
    HP_ASSIGN_OR_RETURN(bool more, reader.next(first));
    if (!more) {
      return make_error(ErrorKind::value, fmt::format("{}: the file is empty", source->m_name));
    }
  } while (is_blank_record(first));
  // Copies: the reader reuses its buffers, so `first`'s views do not survive sampling.
  const std::vector<std::string> first_fields = record_fields(first);
  const std::vector<bool> first_quoted = first.quoted;
  const std::uint64_t first_line = first.line;
  const std::size_t width = first_fields.size();
  // The sample types the columns and shows how the file writes numbers and dates. Only when it
  // shows a regional convention is it typed again with it: plain files pay nothing more.
  NumberFormatDetector numbers;
  source->m_dates.assign(width, DateLayoutDetector());
  source->m_column_values.assign(width, options.values);
  std::vector<TypeInference> inferences;
  std::size_t sampled = 0;
  HP_TRY(source->sample(reader, width, inferences, sampled, &numbers));
  if (source->decide_conventions(numbers)) {
    HP_ASSIGN_OR_RETURN(auto again, io::open_text_input(path, encoding));
    CsvReader second(std::move(again), dialect, source->m_name, options.values.max_value_bytes);
    HP_TRY(source->skip_separator_line(second));
    CsvRecord skipped;
    do {
      HP_ASSIGN_OR_RETURN(bool more, second.next(skipped));
      (void)more;
    } while (is_blank_record(skipped));
    HP_TRY(source->sample(second, width, inferences, sampled, nullptr));
  }
  const std::vector<TextValueOptions>& values = source->m_column_values;

  // A header is a first record that does not look like the data under it: some column has a
  // non-text type that its first value does not fit.
  bool header = true;
  if (options.header) {
    header = *options.header;
  } else {
    bool first_row_fits = true;
    bool any_typed = false;
    for (std::size_t i = 0; i < width; ++i) {
      if (!inferences[i].saw_values() || inferences[i].type() == SqlType::text()) {
        continue;
      }
      any_typed = true;
      TypeInference probe = inferences[i];
      probe.observe(first_fields[i], values[i]);
      first_row_fits = first_row_fits && probe.type() == inferences[i].type();
    }
    header = !(any_typed && first_row_fits);
  }
  if (!header) {
    for (std::size_t i = 0; i < width; ++i) {
      if (!source->is_null(first_fields[i], first_quoted[i])) {
        inferences[i].observe(first_fields[i], values[i]);
      }
    }
  }
  if (header && sampled == 0) {
    return make_error(ErrorKind::value, fmt::format("{}: has a header but no data rows", source->m_name),
                      "check the export that produced it");
  }
  source->m_dialect.header = header;
  std::vector<std::string> raw_names;
  for (std::size_t i = 0; i < width; ++i) {
    raw_names.push_back(header ? first_fields[i] : fmt::format("column_{}", i + 1));
  }
  HP_ASSIGN_OR_RETURN(source->m_names, clean_column_names(raw_names, source->m_notes,
                                                          fmt::format("{}: line {}", source->m_name, first_line)));
  if (options.sample_rows != 0 && sampled >= options.sample_rows) {
    HP_TRY(source->sample_tail(path, encoding, head_bytes.load(), width, inferences));
  }
  source->m_inferences = std::move(inferences);
  for (std::size_t i = 0; i < width; ++i) {
    (void)source->m_dates[i].result(options.regional, source->m_names[i], source->m_notes);
  }
  source->m_notes.insert(source->m_notes.begin(),
                         fmt::format("delimiter {}, {}", describe_delimiter(dialect.delimiter),
                                     header ? "header row" : "no header row"));

  // Rewind: read again from the first data row.
  HP_ASSIGN_OR_RETURN(auto again, io::open_text_input(path, encoding, source->m_file_bytes));
  source->m_reader =
      std::make_unique<CsvReader>(std::move(again), source->m_dialect, source->m_name, options.values.max_value_bytes);
  HP_TRY(source->skip_separator_line(*source->m_reader));
  if (header) {
    do {
      HP_ASSIGN_OR_RETURN(bool more, source->m_reader->next(source->m_record));
      (void)more;
    } while (is_blank_record(source->m_record));
  }
  return source;
}

Status CsvSource::sample(CsvReader& reader, std::size_t width, std::vector<TypeInference>& inferences,
                         std::size_t& sampled, NumberFormatDetector* detect) {
  inferences.assign(width, TypeInference());
  sampled = 0;
  CsvRecord record;
  while (m_options.sample_rows == 0 || sampled < m_options.sample_rows) {
    HP_ASSIGN_OR_RETURN(bool more, reader.next(record));
    if (!more) {
      break;
    }
    if (is_blank_record(record) || record.fields.size() != width) {
      continue; // ragged rows are reported when rows are read
    }
    for (std::size_t i = 0; i < width; ++i) {
      if (!is_null(record.fields[i], record.quoted[i])) {
        inferences[i].observe(record.fields[i], m_column_values[i]);
        if (detect != nullptr) {
          detect->observe(record.fields[i]);
          m_dates[i].observe(record.fields[i]);
        }
      }
    }
    ++sampled;
  }
  return {};
}

Status CsvSource::sample_tail(const std::filesystem::path& path, io::TextEncoding encoding, std::uint64_t head_end,
                              std::size_t width, std::vector<TypeInference>& inferences) {
  // Single-byte and UTF-8 text only: a gzip stream or UTF-16 cannot be entered in the middle.
  if (encoding == io::TextEncoding::utf16le || encoding == io::TextEncoding::utf16be) {
    return {};
  }
  HP_ASSIGN_OR_RETURN(const io::FileTail tail, io::read_file_tail(path, k_tail_sample_bytes));
  if (tail.file_size - tail.bytes.size() < head_end) {
    return {}; // the end overlaps what the first sample read (and may hold the header): a small file
  }
  // The file's first bytes: gzip's magic, or a UTF-16 byte-order mark (`automatic` transcodes
  // those at the start only): the end of such a file is not UTF-8 text.
  const std::string_view start = tail.start;
  if (start.starts_with("\x1f\x8b") || start.starts_with("\xff\xfe") || start.starts_with("\xfe\xff")) {
    return {};
  }
  const auto records = tail_records(tail.bytes, m_dialect);
  if (!records) {
    return {};
  }
  if (encoding != io::TextEncoding::windows1252 && encoding != io::TextEncoding::latin1 &&
      !base::is_valid_utf8(*records)) {
    return {}; // the load names the row that is not UTF-8; a sample must not widen a column for it
  }
  auto decoded = io::decode_text_input(io::memory_input(std::string(*records)), m_name, encoding);
  if (!decoded) {
    return {}; // the rows themselves will say what is wrong, with their lines
  }
  CsvReader reader(std::move(*decoded), m_dialect, m_name, m_options.values.max_value_bytes);
  std::vector<TypeInference> seen(width);
  CsvRecord record;
  for (;;) {
    auto more = reader.next(record);
    if (!more) {
      return {}; // likewise
    }
    if (!*more) {
      break;
    }
    if (is_blank_record(record) || record.fields.size() != width) {
      continue;
    }
    for (std::size_t i = 0; i < width; ++i) {
      if (!is_null(record.fields[i], record.quoted[i])) {
        seen[i].observe(record.fields[i], m_column_values[i]);
      }
    }
  }
  std::vector<std::string> widened;
  for (std::size_t i = 0; i < width; ++i) {
    const SqlType before = inferences[i].type();
    const bool had_values = inferences[i].saw_values();
    inferences[i].merge(seen[i]);
    if (inferences[i].type() != before) {
      widened.push_back(had_values ? fmt::format("{} {} -> {}", m_names.at(i), before.sql(), inferences[i].type().sql())
                                   : fmt::format("{} {} (empty in the first rows)", m_names.at(i), inferences[i].type().sql()));
    }
  }
  if (!widened.empty()) {
    m_notes.push_back(fmt::format("the file's last {} KiB set wider types than the first rows: {}", tail.bytes.size() / 1024,
                                  fmt::join(widened, ", ")));
  }
  return {};
}

bool CsvSource::decide_conventions(const NumberFormatDetector& numbers) {
  const NumberFormat format = numbers.result(m_options.regional, m_notes);
  return regional_value_options(m_options.values, format, m_dates, m_options.regional, m_column_values);
}

Status CsvSource::skip_separator_line(CsvReader& reader) {
  if (m_separator_line) {
    CsvRecord line;
    HP_ASSIGN_OR_RETURN(bool more, reader.next(line));
    (void)more;
  }
  return {};
}

std::vector<SourceTable> CsvSource::tables(const TableName& root) const {
  SourceTable table{{root, {}, {}, {}}, m_inferences, false, m_notes};
  for (std::size_t i = 0; i < m_names.size(); ++i) {
    table.definition.add(m_names[i], m_inferences[i].type());
  }
  return {std::move(table)};
}

Result<TableRead> CsvSource::read(std::size_t, const TableDefinition& definition, const std::vector<bool>& provisional,
                                  const BatchSink& sink, RejectSink& rejects) {
  constexpr std::size_t k_batch_rows = 65'536;
  m_inferred = provisional;
  ColumnBatch batch(definition);
  TableRead read;
  for (;;) {
    batch.clear();
    HP_ASSIGN_OR_RETURN(std::size_t rows, read_batch(batch, k_batch_rows, rejects, read.widening));
    if (rows > 0) {
      HP_TRY(sink(batch));
    }
    if (rows == 0 || read.widening) {
      break;
    }
  }
  read.rows_read = m_rows_read;
  read.rows_rejected = m_rows_rejected;
  return read;
}

Result<std::size_t> CsvSource::read_batch(ColumnBatch& batch, std::size_t max_rows, RejectSink& rejects,
                                          std::optional<NeedsWidening>& widening) {
  std::size_t added = 0;
  const std::size_t width = batch.column_count();
  while (added < max_rows) {
    HP_ASSIGN_OR_RETURN(bool more, m_reader->next(m_record));
    if (!more) {
      break;
    }
    if (is_blank_record(m_record)) {
      continue;
    }
    ++m_rows_read;
    const auto reject = [&](std::string reason) -> Status {
      ++m_rows_rejected;
      return rejects.reject(RejectedRow{m_name, m_record.line, std::move(reason), record_fields(m_record)});
    };
    if (m_record.fields.size() != width) {
      HP_TRY(reject(fmt::format("expected {} fields, found {}", width, m_record.fields.size())));
      continue;
    }
    const std::size_t row = batch.row_count();
    for (std::size_t i = 0; i < width; ++i) {
      Column& column = batch.column(i);
      const std::string_view field = m_record.fields[i];
      Status appended = is_null(field, m_record.quoted[i])
                            ? column.append_null()
                            : (m_record.quoted[i] && field.empty() && column.definition().type.kind() != TypeKind::text
                                   ? column.append_null()
                                   : append_text_value(column, field, m_column_values[i]));
      if (appended) {
        continue;
      }
      for (std::size_t j = 0; j < i; ++j) {
        batch.column(j).truncate(row);
      }
      if (m_inferred[i] && appended.error().kind == ErrorKind::value && base::is_valid_utf8(field)) {
        --m_rows_read; // the row will be read again after widening
        widening = NeedsWidening{i, std::string(field), m_record.line};
        return added;
      }
      HP_TRY(reject(fmt::format("column \"{}\" ({}): {}", column.definition().name, column.definition().type.sql(),
                                appended.error().detail.empty() ? appended.error().message : appended.error().detail)));
      break;
    }
    if (batch.row_count() > row) {
      ++added;
    }
  }
  return added;
}

} // namespace hyperpipe::sources
