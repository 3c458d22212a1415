#include "hyperpipe/sql_type.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <vector>

namespace hyperpipe {
namespace {

// PostgreSQL type OIDs as hyperd reports them in RowDescription and pg_attribute.
constexpr std::uint32_t k_oid_bool = 16, k_oid_bytea = 17, k_oid_char1 = 18, k_oid_int8 = 20,
                        k_oid_int2 = 21, k_oid_int4 = 23, k_oid_text = 25, k_oid_oid = 26,
                        k_oid_json = 114, k_oid_float4 = 700, k_oid_float8 = 701,
                        k_oid_bpchar = 1042, k_oid_varchar = 1043, k_oid_date = 1082,
                        k_oid_time = 1083, k_oid_timestamp = 1114, k_oid_timestamptz = 1184,
                        k_oid_interval = 1186, k_oid_numeric = 1700, k_oid_geography = 5003;
// Type modifiers carry a +4 header, as in PostgreSQL.
constexpr std::int32_t k_typmod_header = 4;

std::string lower_trimmed(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

struct NamedKind {
  std::string_view name;
  TypeKind kind;
};
// Spellings accepted for types without modifiers (whitespace removed, lower case).
constexpr std::array k_plain_names{
    NamedKind{"bool", TypeKind::boolean},         NamedKind{"boolean", TypeKind::boolean},
    NamedKind{"smallint", TypeKind::small_int},   NamedKind{"int2", TypeKind::small_int},
    NamedKind{"int", TypeKind::integer},          NamedKind{"integer", TypeKind::integer},
    NamedKind{"int4", TypeKind::integer},         NamedKind{"bigint", TypeKind::big_int},
    NamedKind{"int8", TypeKind::big_int},         NamedKind{"real", TypeKind::real},
    NamedKind{"float4", TypeKind::real},          NamedKind{"double", TypeKind::double_precision},
    NamedKind{"doubleprecision", TypeKind::double_precision},
    NamedKind{"float", TypeKind::double_precision}, NamedKind{"float8", TypeKind::double_precision},
    NamedKind{"text", TypeKind::text},            NamedKind{"string", TypeKind::text},
    NamedKind{"bytes", TypeKind::bytes},          NamedKind{"bytea", TypeKind::bytes},
    NamedKind{"date", TypeKind::date},            NamedKind{"time", TypeKind::time},
    NamedKind{"timestamp", TypeKind::timestamp},  NamedKind{"timestamptz", TypeKind::timestamp_tz},
    NamedKind{"timestampwithtimezone", TypeKind::timestamp_tz},
    NamedKind{"timestampwithouttimezone", TypeKind::timestamp},
    NamedKind{"interval", TypeKind::interval},    NamedKind{"json", TypeKind::json},
    NamedKind{"oid", TypeKind::oid},              NamedKind{"geography", TypeKind::geography},
    NamedKind{"tabgeography", TypeKind::geography},
    NamedKind{"tableau.tabgeography", TypeKind::geography},
};

Result<std::vector<int>> parse_modifiers(std::string_view inner, std::string_view original) {
  std::vector<int> values;
  while (!inner.empty()) {
    const auto comma = inner.find(',');
    const std::string_view part = inner.substr(0, comma);
    int value = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || end != part.data() + part.size()) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("bad type modifier in \"{}\"", original));
    }
    values.push_back(value);
    inner = comma == std::string_view::npos ? std::string_view{} : inner.substr(comma + 1);
  }
  return values;
}

} // namespace

SqlType SqlType::numeric(int precision, int scale) {
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    throw std::invalid_argument(fmt::format("NUMERIC({},{}) is not a valid type", precision, scale));
  }
  SqlType type(TypeKind::numeric);
  type.m_precision = precision;
  type.m_scale = scale;
  return type;
}

SqlType SqlType::varchar(int length) {
  if (length < 1) {
    throw std::invalid_argument("VARCHAR length must be at least 1");
  }
  SqlType type(TypeKind::varchar);
  type.m_length = length;
  return type;
}

SqlType SqlType::character(int length) {
  if (length < 1) {
    throw std::invalid_argument("CHAR length must be at least 1");
  }
  SqlType type(TypeKind::character);
  type.m_length = length;
  return type;
}

Result<SqlType> SqlType::parse(std::string_view text) {
  const std::string name = lower_trimmed(text);
  const auto open = name.find('(');
  if (open == std::string::npos) {
    for (const auto& entry : k_plain_names) {
      if (entry.name == name) {
        return SqlType(entry.kind);
      }
    }
    if (name == "numeric" || name == "decimal") {
      return numeric(38, 0); // Hyper's meaning of a bare NUMERIC
    }
    if (name == "varchar" || name == "charactervarying") {
      return SqlType::text(); // unbounded VARCHAR stores like TEXT
    }
  } else if (name.back() == ')') {
    const std::string base = name.substr(0, open);
    HP_ASSIGN_OR_RETURN(auto mods,
                        parse_modifiers(std::string_view(name).substr(open + 1, name.size() - open - 2), text));
    const bool one = mods.size() == 1;
    const bool two = mods.size() == 2;
    if ((base == "numeric" || base == "decimal") && (one || two)) {
      const int precision = mods[0];
      const int scale = two ? mods[1] : 0;
      if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
        return make_error(ErrorKind::invalid_argument,
                          fmt::format("\"{}\": NUMERIC precision must be 1..38 and scale 0..precision", text));
      }
      return numeric(precision, scale);
    }
    if ((base == "varchar" || base == "charactervarying") && one && mods[0] >= 1) {
      return varchar(mods[0]);
    }
    if ((base == "char" || base == "character") && one && mods[0] >= 1) {
      return character(mods[0]);
    }
  }
  return make_error(ErrorKind::invalid_argument, fmt::format("unknown column type \"{}\"", text),
                    "use one of: bool, smallint, int, bigint, real, double, numeric(p,s), text, "
                    "varchar(n), char(n), bytes, date, time, timestamp, timestamptz, interval, "
                    "json, oid, geography");
}

Result<SqlType> SqlType::from_oid(std::uint32_t oid, std::int32_t type_modifier) {
  const std::int32_t mod = type_modifier - k_typmod_header;
  switch (oid) {
  case k_oid_bool: return boolean();
  case k_oid_int2: return small_int();
  case k_oid_int4: return integer();
  case k_oid_int8: return big_int();
  case k_oid_float4: return real();
  case k_oid_float8: return double_precision();
  case k_oid_numeric:
    if (type_modifier < k_typmod_header) {
      return numeric(38, 0);
    }
    return numeric(mod >> 16, mod & 0xFFFF);
  case k_oid_text: return text();
  case k_oid_varchar: return type_modifier < k_typmod_header ? text() : varchar(mod);
  case k_oid_bpchar: return character(type_modifier < k_typmod_header ? 1 : mod);
  case k_oid_char1: return character(1);
  case k_oid_bytea: return bytes();
  case k_oid_date: return date();
  case k_oid_time: return time();
  case k_oid_timestamp: return timestamp();
  case k_oid_timestamptz: return timestamp_tz();
  case k_oid_interval: return interval();
  case k_oid_json: return json();
  case k_oid_oid: return SqlType::oid();
  case k_oid_geography: return geography();
  default:
    return make_error(ErrorKind::unsupported, fmt::format("column type with OID {} is not supported", oid));
  }
}

std::string SqlType::sql() const {
  switch (m_kind) {
  case TypeKind::boolean: return "BOOLEAN";
  case TypeKind::small_int: return "SMALLINT";
  case TypeKind::integer: return "INTEGER";
  case TypeKind::big_int: return "BIGINT";
  case TypeKind::real: return "REAL";
  case TypeKind::double_precision: return "DOUBLE PRECISION";
  case TypeKind::numeric: return fmt::format("NUMERIC({},{})", m_precision, m_scale);
  case TypeKind::text: return "TEXT";
  case TypeKind::varchar: return fmt::format("VARCHAR({})", m_length);
  case TypeKind::character: return fmt::format("CHAR({})", m_length);
  case TypeKind::bytes: return "BYTEA";
  case TypeKind::date: return "DATE";
  case TypeKind::time: return "TIME";
  case TypeKind::timestamp: return "TIMESTAMP";
  case TypeKind::timestamp_tz: return "TIMESTAMP WITH TIME ZONE";
  case TypeKind::interval: return "INTERVAL";
  case TypeKind::json: return "JSON";
  case TypeKind::oid: return "OID";
  case TypeKind::geography: return "TABLEAU.TABGEOGRAPHY";
  }
  return "TEXT";
}

int SqlType::minimum_file_version() const {
  if (m_kind == TypeKind::real) {
    return 4;
  }
  if (is_wide_numeric()) {
    return 3;
  }
  return 0;
}

} // namespace hyperpipe
