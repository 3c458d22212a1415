#pragma once
// Quoting of identifiers and literals for the SQL hyperpipe sends to hyperd. Every name and
// value that reaches a statement goes through here; nothing is spliced in raw.

#include <string>
#include <string_view>

namespace hyperpipe::base {

/// "name" with embedded double quotes doubled. Works for table and column names and for the
/// file paths that CREATE/ATTACH DATABASE take as identifiers.
std::string quote_identifier(std::string_view name);

/// 'text' with embedded single quotes doubled (standard_conforming_strings is on in hyperd, so
/// backslashes are literal).
std::string quote_literal(std::string_view text);

} // namespace hyperpipe::base
