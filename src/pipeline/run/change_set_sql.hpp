#pragma once
// The statements that compute what changed in a table between the extract hyperpipe last
// published and the one it just wrote, for `publish: {mode: sync}`. Pure: tables are given
// qualified ("db"."schema"."table"), key columns by name. Rows are matched on their key (checked
// unique and not NULL in both: a joined hash on the key is 2-3x faster than EXCEPT over whole
// rows), and compared column by column with IS DISTINCT FROM, NULL equal to NULL.

#include <cstdint>
#include <string>
#include <vector>

namespace hyperpipe::pipeline::change_set_sql {

/// The key columns of `table` copied into the temporary table `into`: a table without the
/// ASSUMED primary key, which Hyper trusts (grouping on it would find no duplicate by design).
std::string copy_keys(const std::string& into, const std::string& table, const std::vector<std::string>& key);
/// How many key values occur more than once in `keys` (a copy_keys table).
std::string duplicate_keys(const std::string& keys, const std::vector<std::string>& key);
/// How many rows of `table` have a NULL in a key column (no condition can match them).
std::string null_keys(const std::string& table, const std::vector<std::string>& key);
/// The rows of `fresh` that `last` does not have as they are: inserted (no row with their key)
/// or changed (a column differs).
std::string create_upserts(const std::string& into, const std::string& fresh, const std::string& last,
                           const std::vector<std::string>& key, const std::vector<std::string>& columns);
/// The keys of `last` that `fresh` no longer has: deleted.
std::string create_deletes(const std::string& into, const std::string& fresh, const std::string& last,
                           const std::vector<std::string>& key);
/// Of the rows in `upserts`, those whose key `last` did not have (inserted, not updated).
std::string count_inserted(const std::string& upserts, const std::string& last, const std::vector<std::string>& key);
/// Rows that differ between the two, counted both ways (0: the table is unchanged).
std::string count_differences(const std::string& fresh, const std::string& last);
/// The whole of `fresh`, for a table without a key (sent with replace).
std::string create_copy(const std::string& into, const std::string& fresh);
/// Rows of `source` whose position in `key` order modulo `parts` is `index`: one payload of a
/// split change set. Numbered by a unique key, every row is in exactly one part, whichever order
/// the engine's parallel scans deliver them in.
std::string create_part(const std::string& into, const std::string& source, const std::vector<std::string>& columns,
                        const std::vector<std::string>& key, std::uint64_t parts, std::uint64_t index);
std::string count_rows(const std::string& table);

} // namespace hyperpipe::pipeline::change_set_sql
