#pragma once
// Rendering rows for people (aligned columns) and for programs (CSV, JSON).

#include <string>

#include "hyperpipe/query_result.hpp"

namespace hyperpipe::cli {

/// Aligned columns with a header rule and a "(N rows)" footer; NULL shows as "NULL".
std::string render_table(const QueryResult& result);
/// RFC 4180 CSV with a header row; NULL is an empty field, the empty string is "".
std::string render_csv(const QueryResult& result);
/// A JSON array of objects. Booleans and integers become JSON booleans and numbers; NULL is null;
/// everything else (including NUMERIC, to keep every digit) is a string.
std::string render_json(const QueryResult& result);

} // namespace hyperpipe::cli
