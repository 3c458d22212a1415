#pragma once
// Built-in example data for the quickstart: customers and their orders, related by an ASSUMED
// foreign key, so the extract opens in Tableau as a two-table data source.

#include "hyperpipe/extract.hpp"

namespace hyperpipe::cli {

TableDefinition example_customers_table();
TableDefinition example_orders_table();

/// Adds both tables to `writer` and fills them with deterministic rows.
Status write_example_tables(ExtractWriter& writer, std::size_t customer_count, std::size_t order_count);

} // namespace hyperpipe::cli
