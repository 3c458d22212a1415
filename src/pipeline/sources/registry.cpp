// The source types pipelines know. Adding one: implement SourceType and list it here; nothing
// else in the pipeline changes.

#include "pipeline/sources/api_source.hpp"
#include "pipeline/sources/database_source.hpp"
#include "pipeline/sources/file_source.hpp"

namespace hyperpipe::pipeline {

const std::vector<const SourceType*>& source_types() {
  static const std::vector<const SourceType*> types = {&csv_source_type(), &json_source_type(), &xlsx_source_type(),
                                                       &parquet_source_type(), &api_source_type(),
                                                       &postgres_source_type(), &sqlite_source_type(),
                                                       &odbc_source_type()};
  return types;
}

const SourceType* find_source_type(std::string_view name) {
  for (const auto* type : source_types()) {
    if (type->name() == name) {
      return type;
    }
  }
  return nullptr;
}

} // namespace hyperpipe::pipeline
