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

/// What an error may quote of one text (a statement, a message, a server's answer): errors are
/// printed, stored in reports and history, and sent to webhooks on every failed run.
inline constexpr std::size_t k_quote_limit = 2'000;

/// `text` if it is at most `limit` bytes; else its beginning and end around
/// " … [N characters cut] … ", never splitting a UTF-8 character.
std::string bounded(std::string_view text, std::size_t limit = k_quote_limit);

} // namespace hyperpipe::base
