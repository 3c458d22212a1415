#pragma once
// SQL text every database source builds the same way: a user's query as a subquery, and a
// possibly schema-qualified table name, quoted.

#include <string>
#include <string_view>

namespace hyperpipe::sources::database {

/// "(\nQUERY\n)": trailing semicolons and whitespace dropped, and the closing parenthesis on a
/// line of its own, so a query ending in a -- comment still works when wrapped.
std::string as_subquery(std::string_view query);

/// "schema"."table" (or "table"), each part quoted with `quote` (doubled inside).
std::string table_reference(std::string_view table, char quote = '"');

} // namespace hyperpipe::sources::database
