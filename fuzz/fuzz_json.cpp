// libFuzzer target: the JSON/NDJSON source end to end (record discovery, flattening, child
// tables, conversion into batches), without hyperd.
#include <cstddef>
#include <cstdint>

#include "sources/json/json_source.hpp"
#include "temp_file.hpp"

using namespace hyperpipe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = write_fuzz_input(data, size, ".json");
  sources::JsonOptions options;
  options.max_depth = 4;
  auto source = sources::JsonSource::open(path, options);
  if (source.ok()) {
    const auto tables = (*source)->tables(TableName{"Extract", "Extract"});
    for (std::size_t t = 0; t < tables.size(); ++t) {
      const TableDefinition& table = tables[t].definition;
      if (!table.validate().ok()) {
        continue; // e.g. a field named "_row_id": reported to the user by add_table
      }
      auto rejects = sources::fail_on_error();
      const std::vector<bool> provisional(table.columns.size(), false);
      (void)(*source)->read(t, table, provisional, [](const ColumnBatch& batch) { return batch.check_complete(); }, *rejects);
    }
  }
  return 0;
}
