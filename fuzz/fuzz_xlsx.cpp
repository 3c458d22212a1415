// libFuzzer target: the .xlsx workbook and sheet readers (zip container, workbook, shared
// strings, styles and sheet XML) end to end into batches, without hyperd.
#include <cstddef>
#include <cstdint>

#include "sources/xlsx/xlsx_source.hpp"
#include "temp_file.hpp"

using namespace hyperpipe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = write_fuzz_input(data, size, ".xlsx");
  auto workbook = sources::XlsxWorkbook::open(path);
  if (!workbook.ok()) {
    return 0;
  }
  sources::XlsxOptions options;
  for (const auto& sheet : (*workbook)->sheets()) {
    auto source = sources::XlsxSheetSource::open(**workbook, sheet, options, path.string());
    if (!source.ok()) {
      continue;
    }
    TableDefinition table{{"Extract", "Extract"}, (*source)->columns(), {}, {}};
    if (!table.validate().ok()) {
      continue;
    }
    auto rejects = sources::fail_on_error();
    (void)(*source)->read(table, [](const ColumnBatch& batch) { return batch.check_complete(); }, *rejects);
  }
  return 0;
}
