#pragma once
// Reads the catalog of one attached .hyper database into plain definitions: what `inspect`
// prints and what an append checks the new data against.

#include <optional>
#include <string>

#include "hyper/wire/connection.hpp"
#include "hyperpipe/inspect.hpp"

namespace hyperpipe::hyper {

/// Reads schemas, tables (with columns and ASSUMED keys) and row counts. `database` is the
/// quoted alias of an attached database, or empty for the connection's own database.
Result<ExtractInfo> read_catalog(Connection& connection, const std::string& database);

} // namespace hyperpipe::hyper
