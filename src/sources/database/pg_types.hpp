#pragma once
// PostgreSQL result columns → Hyper columns. Pure: given each column's type (OID, modifier and
// what pg_type says about it), decides the Hyper type, the expression the COPY selects (a cast
// when PostgreSQL's binary form is not one we decode: arrays and json become JSON text, uuid and
// unknown types become text), and how the binary value is decoded.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/table.hpp"

namespace hyperpipe::sources::database {

/// How a binary COPY field is read.
enum class PgDecode { boolean, int2, int4, int8, float4, float8, numeric, text, bytes, date, time, timestamp, timestamptz, interval };

struct PgResultColumn {
  std::string name;
  std::uint32_t type_oid = 0;
  std::int32_t type_modifier = -1; ///< e.g. numeric's (precision << 16 | scale) + 4; -1: none
  // From pg_type (empty when not looked up):
  std::string type_name;    ///< "int4", "_int4", "my_enum"
  char category = 0;        ///< typcategory: 'A' array, 'E' enum, 'U' user-defined ...
  std::uint32_t base_oid = 0; ///< a domain's base type; 0 otherwise
  std::int32_t base_modifier = -1;
};

struct PgColumnPlan {
  ColumnDefinition column;    ///< the Hyper column
  std::string select;         ///< what the COPY selects for it, quoted ("amount", to_json("tags")::text)
  PgDecode decode = PgDecode::text;
  std::optional<std::string> note; ///< a lossy or unusual mapping, for the run report
};

/// The OIDs whose pg_type rows plan_columns() wants (arrays, enums, domains, unknown types).
bool needs_catalog(std::uint32_t type_oid);

/// One plan per column, in order.
std::vector<PgColumnPlan> plan_columns(const std::vector<PgResultColumn>& columns);

} // namespace hyperpipe::sources::database
