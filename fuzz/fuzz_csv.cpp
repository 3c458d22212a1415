// libFuzzer target: the CSV dialect sniffer, the streaming reader with every dialect it picks,
// and type inference over the fields. Nothing may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/csv/csv_reader.hpp"
#include "sources/csv/csv_sniffer.hpp"
#include "sources/text/type_inference.hpp"

using namespace hyperpipe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  sources::CsvDialect dialect = sources::sniff_dialect(bytes);
  for (char escape : {dialect.escape, '\\'}) {
    dialect.escape = escape;
    sources::CsvReader reader(io::memory_input(bytes), dialect, "fuzz.csv");
    sources::CsvRecord record;
    std::vector<sources::TypeInference> inferences;
    for (int i = 0; i < 10'000; ++i) {
      auto more = reader.next(record);
      if (!more.ok() || !*more) {
        break;
      }
      inferences.resize(std::max(inferences.size(), record.fields.size()));
      for (std::size_t f = 0; f < record.fields.size(); ++f) {
        inferences[f].observe(record.fields[f], {});
      }
    }
    for (const auto& inference : inferences) {
      (void)inference.type();
    }
  }
  return 0;
}
