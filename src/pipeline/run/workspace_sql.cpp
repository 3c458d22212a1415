#include "pipeline/run/workspace_sql.hpp"

#include <fmt/format.h>

#include "base/quoting.hpp"

namespace hyperpipe::pipeline::workspace_sql {

std::string copy_staged_table(const std::string& alias, const std::string& table) {
  const std::string name = base::quote_identifier(table);
  return fmt::format("CREATE TABLE {} AS (SELECT * FROM {}.\"public\".{})", name, alias, name);
}

std::string detach(const std::string& alias) { return fmt::format("DETACH DATABASE {}", alias); }

std::string count_rows(const std::string& table) {
  return fmt::format("SELECT COUNT(*) FROM {}", base::quote_identifier(table));
}

std::string shape(const std::string& table) {
  return fmt::format("SELECT * FROM \"public\".{} LIMIT 0", base::quote_identifier(table));
}

} // namespace hyperpipe::pipeline::workspace_sql
