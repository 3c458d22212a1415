// libFuzzer target: the .xlsx workbook and sheet readers (zip container, workbook, shared
// strings, styles and sheet XML) end to end into batches, without hyperd.
#include <cstddef>
#include <cstdint>

#include "sources/xlsx/xlsx_source.hpp"
#include "temp_file.hpp"

using namespace hyperpipe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = write_fuzz_input(data, size, ".xlsx");
  sources::XlsxOptions options;
  options.all_sheets = true;
  auto source = sources::XlsxSource::open(path, options);
  if (!source.ok()) {
    return 0;
  }
  const auto tables = (*source)->tables(TableName{"Extract", "Extract"});
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const TableDefinition& table = tables[t].definition;
    if (!table.validate().ok()) {
      continue;
    }
    auto rejects = sources::fail_on_error();
    const std::vector<bool> provisional(table.columns.size(), false);
    (void)(*source)->read(t, table, provisional, [](const ColumnBatch& batch) { return batch.check_complete(); }, *rejects);
  }
  return 0;
}
