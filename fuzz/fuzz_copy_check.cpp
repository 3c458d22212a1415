// libFuzzer target: the check that lets hyperd copy a CSV file itself (CopyCheck). Its one-pass
// reading of plain records must reach the same verdict as the full reading (rows and doubt) in
// every dialect, and neither may depend on how the bytes are cut. Nothing may crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>

#include "sources/csv/copy_check.hpp"

using namespace hyperpipe;

namespace {

struct Verdict {
  std::uint64_t rows;
  std::string doubt;
  std::optional<std::uint64_t> value_line; ///< the doubtful value's place and text, if any
  std::size_t value_column = 0;
  std::string value_text;
  bool operator==(const Verdict&) const = default;
};

Verdict check(std::string_view bytes, const sources::CsvDialect& dialect, const std::vector<SqlType>& columns,
              std::size_t max_record_bytes, std::size_t piece, bool one_pass) {
  sources::CopyCheck copy_check(dialect, columns, dialect.header, max_record_bytes);
  if (!one_pass) {
    copy_check.without_one_pass();
  }
  // The first piece holds the file's first 4 bytes, as feed() asks.
  bool alike = copy_check.feed(bytes.substr(0, std::max<std::size_t>(piece, 4)));
  for (std::size_t at = std::max<std::size_t>(piece, 4); at < bytes.size() && alike; at += piece) {
    alike = copy_check.feed(bytes.substr(at, piece));
  }
  if (alike) {
    copy_check.finish();
  }
  Verdict verdict{copy_check.rows(), copy_check.doubt(), std::nullopt};
  if (const auto& value = copy_check.doubtful_value()) {
    verdict.value_line = value->line;
    verdict.value_column = value->column;
    verdict.value_text = value->text;
  }
  return verdict;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) {
    return 0;
  }
  // The first three bytes choose the columns (three, of the types hyperd may fill), the cuts, the
  // record bound and the dialect (odd ones among them, which the check must refuse whichever way
  // it reads).
  static const SqlType k_types[] = {SqlType::boolean(),     SqlType::small_int(), SqlType::integer(),
                                    SqlType::big_int(),     SqlType::numeric(5, 2), SqlType::numeric(18, 0),
                                    SqlType::date(),        SqlType::timestamp(), SqlType::text()};
  static const char k_delimiters[] = {',', ';', '\t', '|', '\0', '\n', '"', ','};
  static const char k_quotes[] = {'"', '\'', '\n', '"'};
  const std::vector<SqlType> columns = {k_types[data[0] % 9], k_types[(data[0] / 9) % 9], k_types[data[1] % 9]};
  sources::CsvDialect dialect;
  dialect.header = (data[1] & 0x80U) != 0;
  dialect.delimiter = k_delimiters[data[2] & 0x7U];
  dialect.quote = dialect.escape = k_quotes[(data[2] >> 3U) & 0x3U];
  const std::size_t piece = 1 + (data[1] >> 4U & 0x7U) * 5;
  const std::size_t max_record_bytes = std::size_t{64} << (data[2] >> 5U); // 64 B .. 8 KiB
  const std::string_view bytes(reinterpret_cast<const char*>(data + 3), size - 3);
  const Verdict one_pass = check(bytes, dialect, columns, max_record_bytes, bytes.size() + 1, true);
  const Verdict full = check(bytes, dialect, columns, max_record_bytes, bytes.size() + 1, false);
  const Verdict cut = check(bytes, dialect, columns, max_record_bytes, piece, true);
  const bool cut_alike = one_pass.doubt.empty() == cut.doubt.empty() && (!cut.doubt.empty() || one_pass.rows == cut.rows);
  if (!(one_pass == full) || !cut_alike) {
    std::abort();
  }
  return 0;
}
