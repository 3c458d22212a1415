// libFuzzer target: PostgreSQL's binary COPY decoder on bytes a server (or anything pretending to
// be one) could send. The first byte splits the input into CopyData messages; every column kind
// is decoded. Nothing may crash, overflow or leave a ragged batch.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/database/pg_binary.hpp"

using namespace hyperpipe;
using namespace hyperpipe::sources::database;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::vector<std::pair<PgDecode, SqlType>> kinds = {
      {PgDecode::boolean, SqlType::boolean()},      {PgDecode::int2, SqlType::small_int()},
      {PgDecode::int4, SqlType::integer()},         {PgDecode::int8, SqlType::big_int()},
      {PgDecode::float4, SqlType::double_precision()}, {PgDecode::float8, SqlType::double_precision()},
      {PgDecode::numeric, SqlType::numeric(38, 10)}, {PgDecode::numeric, SqlType::numeric(9, 2)},
      {PgDecode::text, SqlType::text()},            {PgDecode::bytes, SqlType::bytes()},
      {PgDecode::date, SqlType::date()},            {PgDecode::time, SqlType::time()},
      {PgDecode::timestamp, SqlType::timestamp()},  {PgDecode::timestamptz, SqlType::timestamp_tz()},
      {PgDecode::interval, SqlType::interval()}};
  std::vector<PgDecode> decodes;
  std::vector<ColumnDefinition> columns;
  // The low bits of the first byte choose how many columns (1-15), the high bits how the rest is cut.
  const std::size_t count = 1 + data[0] % kinds.size();
  for (std::size_t i = 0; i < count; ++i) {
    decodes.push_back(kinds[i].first);
    columns.push_back(ColumnDefinition{"c" + std::to_string(i), kinds[i].second, Nullability::nullable, {}});
  }
  const std::size_t piece = 1 + (data[0] >> 4) * 16;
  ColumnBatch batch(columns);
  PgBinaryDecoder decoder(decodes);
  // A valid header first, so the fuzzer spends its time on rows.
  const std::string header("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!decoder.feed(header, batch).ok()) {
    __builtin_trap();
  }
  while (!rest.empty()) {
    const auto message = rest.substr(0, piece);
    rest.remove_prefix(message.size());
    if (!decoder.feed(message, batch).ok()) {
      break;
    }
  }
  if (!batch.check_complete().ok()) {
    __builtin_trap(); // a partly decoded row must have been rolled back
  }
  return 0;
}
