#include "sources/csv/csv_sniffer.hpp"

#include <map>

namespace hyperpipe::sources {
namespace {

constexpr std::size_t k_sample_records = 200;

struct Score {
  std::size_t consistent = 0; // records with the most common field count
  std::size_t fields = 0;     // that field count
  bool operator>(const Score& other) const {
    if ((fields > 1) != (other.fields > 1)) {
      return fields > 1;
    }
    return consistent != other.consistent ? consistent > other.consistent : fields > other.fields;
  }
};

Score score(std::string_view sample, CsvDialect dialect) {
  // The sample may end inside a record: leave out the last (possibly partial) line.
  const auto last_newline = sample.find_last_of("\r\n");
  if (last_newline != std::string_view::npos && last_newline + 1 < sample.size()) {
    sample = sample.substr(0, last_newline + 1);
  }
  CsvReader reader(io::memory_input(std::string(sample)), dialect, "sample");
  CsvRecord record;
  std::map<std::size_t, std::size_t> counts;
  for (std::size_t i = 0; i < k_sample_records; ++i) {
    auto more = reader.next(record);
    if (!more.ok() || !*more) {
      break;
    }
    if (record.fields.size() == 1 && record.fields[0].empty()) {
      continue; // blank line
    }
    ++counts[record.fields.size()];
  }
  Score best;
  for (const auto& [fields, records] : counts) {
    if (records > best.consistent || (records == best.consistent && fields > best.fields)) {
      best = {records, fields};
    }
  }
  return best;
}

} // namespace

CsvDialect sniff_dialect(std::string_view sample) {
  CsvDialect best_dialect;
  Score best_score;
  bool first = true;
  for (char delimiter : {',', ';', '\t', '|'}) {
    CsvDialect dialect;
    dialect.delimiter = delimiter;
    const Score candidate = score(sample, dialect);
    if (first || candidate > best_score) {
      best_score = candidate;
      best_dialect = dialect;
      first = false;
    }
  }
  // Backslash-escaped quotes (\") and no doubled quotes ("" not right after a backslash) mean a
  // backslash escape.
  bool backslash_quote = false;
  bool doubled_quote = false;
  for (std::size_t i = 0; i + 1 < sample.size(); ++i) {
    if (sample[i] == '\\' && sample[i + 1] == '"') {
      backslash_quote = true;
      ++i;
    } else if (sample[i] == '"' && sample[i + 1] == '"') {
      doubled_quote = true;
      ++i;
    }
  }
  if (backslash_quote && !doubled_quote) {
    best_dialect.escape = '\\';
  }
  return best_dialect;
}

std::optional<char> excel_separator_line(std::string_view sample) {
  if (sample.size() < 5 || !sample.starts_with("sep=")) {
    return std::nullopt;
  }
  const char separator = sample[4];
  const std::string_view rest = sample.substr(5);
  const bool line_ends = rest.empty() || rest.starts_with("\n") || rest.starts_with("\r\n");
  if (separator == '\r' || separator == '\n' || !line_ends) {
    return std::nullopt;
  }
  return separator;
}

std::string_view after_first_line(std::string_view sample) {
  const auto end = sample.find('\n');
  return end == std::string_view::npos ? std::string_view() : sample.substr(end + 1);
}

} // namespace hyperpipe::sources
