#include "sources/database/pg_types.hpp"

#include <fmt/format.h>

#include "base/quoting.hpp"

namespace hyperpipe::sources::database {
namespace {

// PostgreSQL's built-in type OIDs (src/include/catalog/pg_type.dat); they never change.
enum : std::uint32_t {
  k_bool = 16, k_bytea = 17, k_char = 18, k_name = 19, k_int8 = 20, k_int2 = 21, k_int4 = 23, k_text = 25, k_oid = 26,
  k_json = 114, k_xml = 142, k_float4 = 700, k_float8 = 701, k_money = 790, k_bpchar = 1042, k_varchar = 1043,
  k_date = 1082, k_time = 1083, k_timestamp = 1114, k_timestamptz = 1184, k_interval = 1186, k_timetz = 1266,
  k_numeric = 1700, k_uuid = 2950, k_jsonb = 3802,
};

constexpr int k_max_hyper_precision = 38;

PgColumnPlan plan(const std::string& quoted, std::uint32_t oid, std::int32_t modifier, const PgResultColumn& column) {
  PgColumnPlan out;
  out.column.name = column.name;
  out.select = quoted;
  const auto as = [&out](SqlType type, PgDecode decode) {
    out.column.type = type;
    out.decode = decode;
  };
  switch (oid) {
  case k_bool: as(SqlType::boolean(), PgDecode::boolean); return out;
  case k_int2: as(SqlType::small_int(), PgDecode::int2); return out;
  case k_int4: as(SqlType::integer(), PgDecode::int4); return out;
  case k_int8: as(SqlType::big_int(), PgDecode::int8); return out;
  case k_oid:
    as(SqlType::big_int(), PgDecode::int8);
    out.select = quoted + "::int8";
    return out;
  // float4 widens to double exactly (Hyper's REAL needs file version 4, which older Tableau
  // releases cannot open).
  case k_float4: as(SqlType::double_precision(), PgDecode::float4); return out;
  case k_float8: as(SqlType::double_precision(), PgDecode::float8); return out;
  case k_numeric: {
    if (modifier >= 4) {
      const int precision = ((modifier - 4) >> 16) & 0xFFFF;
      const int scale = (modifier - 4) & 0xFFFF;
      if (precision >= 1 && precision <= k_max_hyper_precision && scale <= precision) {
        as(SqlType::numeric(precision, scale), PgDecode::numeric);
        return out;
      }
      out.note = fmt::format("column {}: numeric({},{}) is wider than Hyper's 38 digits: loaded as double precision",
                             column.name, precision, scale);
    } else {
      out.note = fmt::format("column {}: numeric without precision and scale: loaded as double precision "
                             "(cast it in the query, e.g. {}::numeric(18,4), to keep it exact)", column.name, quoted);
    }
    as(SqlType::double_precision(), PgDecode::float8);
    out.select = quoted + "::float8";
    return out;
  }
  case k_money:
    // 18 digits keep file version 2; an amount of 10^16 or more (money goes to 9.2 × 10^16)
    // fails on the server with "numeric field overflow" rather than losing a digit.
    as(SqlType::numeric(18, 2), PgDecode::numeric);
    out.select = quoted + "::numeric(18,2)";
    return out;
  case k_text:
  case k_varchar:
  case k_bpchar:
  case k_name: as(SqlType::text(), PgDecode::text); return out;
  case k_char: // PostgreSQL's one-byte "char"
    as(SqlType::text(), PgDecode::text);
    out.select = quoted + "::text";
    return out;
  case k_json:
  case k_jsonb:
  case k_xml:
  case k_uuid:
  case k_timetz:
    as(SqlType::text(), PgDecode::text);
    out.select = quoted + "::text";
    if (oid == k_timetz) {
      out.note = fmt::format("column {}: time with time zone has no Hyper type: loaded as text", column.name);
    }
    return out;
  case k_bytea: as(SqlType::bytes(), PgDecode::bytes); return out;
  case k_date: as(SqlType::date(), PgDecode::date); return out;
  case k_time: as(SqlType::time(), PgDecode::time); return out;
  case k_timestamp: as(SqlType::timestamp(), PgDecode::timestamp); return out;
  case k_timestamptz: as(SqlType::timestamp_tz(), PgDecode::timestamptz); return out;
  case k_interval: as(SqlType::interval(), PgDecode::interval); return out;
  default: break;
  }
  as(SqlType::text(), PgDecode::text);
  if (column.category == 'A') {
    out.select = fmt::format("to_json({})::text", quoted);
    return out; // arrays as JSON text, as documented: no note
  }
  out.select = quoted + "::text";
  if (column.category != 'E') { // enums are text by nature
    out.note = fmt::format("column {}: type {} has no Hyper equivalent: loaded as text", column.name,
                           column.type_name.empty() ? std::to_string(column.type_oid) : column.type_name);
  }
  return out;
}

} // namespace

bool needs_catalog(std::uint32_t type_oid) {
  switch (type_oid) {
  case k_bool: case k_bytea: case k_char: case k_name: case k_int8: case k_int2: case k_int4: case k_text: case k_oid:
  case k_json: case k_xml: case k_float4: case k_float8: case k_money: case k_bpchar: case k_varchar: case k_date:
  case k_time: case k_timestamp: case k_timestamptz: case k_interval: case k_timetz: case k_numeric: case k_uuid:
  case k_jsonb: return false;
  default: return true;
  }
}

std::vector<PgColumnPlan> plan_columns(const std::vector<PgResultColumn>& columns) {
  std::vector<PgColumnPlan> plans;
  for (const auto& column : columns) {
    const std::string quoted = base::quote_identifier(column.name);
    if (column.base_oid != 0) { // a domain: its base type's binary form
      auto domain = plan(quoted, column.base_oid, column.base_modifier, column);
      plans.push_back(std::move(domain));
    } else {
      plans.push_back(plan(quoted, column.type_oid, column.type_modifier, column));
    }
  }
  return plans;
}

} // namespace hyperpipe::sources::database
