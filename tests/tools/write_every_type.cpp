// Writes a .hyper file holding every Hyper type, for the Python tests that read it back with
// the official tableauhyperapi. The values here are mirrored, independently, in
// tests/python/test_roundtrip_tableauhyperapi.py.
//   write_every_type OUT.hyper
#include <cstdio>

#include "hyperpipe/extract.hpp"

using namespace hyperpipe;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_every_type OUT.hyper\n");
    return 2;
  }
  try {
    EngineOptions options;
    options.default_file_version = 4;
    auto engine = HyperEngine::start(options).value();
    auto writer = ExtractWriter::open(engine, argv[1], {CreateMode::replace, 4}).value();
    TableDefinition table{{"Extract", "Extract"}, {}, {}, {}};
    table.add("id", SqlType::integer(), Nullability::not_null)
        .add("b", SqlType::boolean())
        .add("i16", SqlType::small_int())
        .add("i32", SqlType::integer())
        .add("i64", SqlType::big_int())
        .add("f64", SqlType::double_precision())
        .add("f32", SqlType::real())
        .add("n18", SqlType::numeric(18, 3))
        .add("n38", SqlType::numeric(38, 6))
        .add("txt", SqlType::text())
        .add("vc", SqlType::varchar(10))
        .add("ch", SqlType::character(4))
        .add("bin", SqlType::bytes())
        .add("d", SqlType::date())
        .add("t", SqlType::time())
        .add("ts", SqlType::timestamp())
        .add("tstz", SqlType::timestamp_tz())
        .add("iv", SqlType::interval())
        .add("js", SqlType::json())
        .add("o", SqlType::oid())
        .add("geo", SqlType::geography());
    writer.add_table(table).value();
    ColumnBatch batch(table);
    Int128 n38 = 1;
    for (int i = 0; i < 38; ++i) {
      n38 *= 10;
    }
    batch
        .append_row({std::int64_t{1}, true, std::int64_t{-32768}, std::int64_t{2147483647},
                     std::int64_t{-9223372036854775807LL - 1}, 0.1, 1.5, Decimal{-123456789012345678, 3},
                     Decimal{n38 - 1, 6}, std::string("Zürich — 東京 🚀"), std::string("héllo"), std::string("ab"),
                     std::string("\x00\x01\xff", 3), Date::from_ymd(1969, 7, 20),
                     TimeOfDay::from_hms(23, 59, 59, 999999),
                     Timestamp::from_date_time(Date::from_ymd(2038, 1, 19), TimeOfDay::from_hms(3, 14, 8, 123456)),
                     Timestamp::from_date_time(Date::from_ymd(1900, 3, 1), TimeOfDay::from_hms(12, 0, 0, 1)),
                     Interval{14, 3, 4'000'005}, std::string(R"({"a": [1, 2]})"), std::int64_t{4294967295},
                     std::string("POINT(4.35 50.85)")})
        .value();
    std::vector<Value> nulls(table.columns.size());
    nulls[0] = std::int64_t{2};
    batch.append_row(nulls).value();
    batch
        .append_row({std::int64_t{3}, false, std::int64_t{0}, std::int64_t{-1}, std::int64_t{0}, -0.0, -2.25,
                     Decimal{0, 0}, Decimal{-1, 6}, std::string(""), std::string(""), std::string("abcd"),
                     std::string(""), Date::from_ymd(2024, 2, 29), TimeOfDay{}, Timestamp{0}, Timestamp{-1},
                     Interval{-1, -2, -3}, std::string("null"), std::int64_t{0},
                     std::string("POINT(-122.3321 47.6062)")})
        .value();
    auto rows = writer.write_to(table.name).value();
    rows.write(batch).value();
    rows.finish().value();
    writer.commit().value();
    engine.shutdown().value();
  } catch (const Exception& error) {
    std::fprintf(stderr, "write_every_type: %s\n", error.what());
    return 1;
  }
  return 0;
}
