// A JSON file's tables as the extract sees them: their names (children named after their
// arrays), their columns' names made unique, row ids and the keys that relate them.
#include <fmt/format.h>

#include <algorithm>

#include "sources/column_names.hpp"
#include "sources/json/json_source.hpp"

namespace hyperpipe::sources {

// A key "a.b" beside a nested {"a": {"b": ...}} flattens to the same name, as does a field named
// like the row ids: such columns get unique names (a.b_2), each reported, as repeated CSV headers.
Status JsonSource::name_columns() {
  for (std::size_t t = 0; t < m_tables.size(); ++t) {
    JsonTablePlan& plan = m_tables[t];
    std::vector<std::string> raw{"_row_id"};
    if (t != 0) {
      raw.emplace_back("_parent_row_id");
    }
    const std::size_t reserved = raw.size();
    std::vector<std::size_t> included;
    for (std::size_t c = 0; c < plan.columns.size(); ++c) {
      if (!plan.omitted[c]) {
        raw.push_back(plan.columns[c]);
        included.push_back(c);
      }
    }
    std::vector<std::string> ignored;
    HP_ASSIGN_OR_RETURN(auto unique, clean_column_names(raw, ignored, m_name));
    plan.names.assign(plan.columns.size(), std::string());
    for (std::size_t i = 0; i < included.size(); ++i) {
      const std::string& name = unique[reserved + i];
      if (raw[reserved + i].empty()) {
        m_notes.push_back(fmt::format("{}a key with no name is column \"{}\"",
                                      plan.path.empty() ? "" : fmt::format("in array \"{}\": ", plan.path), name));
      } else if (name != raw[reserved + i]) {
        m_notes.push_back(fmt::format("{}\"{}\" names two fields (a key with a dot beside a nested object, or a row id); "
                                      "the second is column \"{}\"",
                                      plan.path.empty() ? "" : fmt::format("in array \"{}\": ", plan.path),
                                      raw[reserved + i], name));
      }
      plan.names[included[i]] = name;
    }
  }
  return {};
}

std::vector<TableDefinition> JsonSource::table_definitions(const TableName& root) const {
  std::vector<TableDefinition> definitions;
  for (std::size_t t = 0; t < m_tables.size(); ++t) {
    const JsonTablePlan& plan = m_tables[t];
    TableDefinition table;
    if (t == 0) {
      table.name = root;
    } else {
      std::string suffix = plan.path;
      std::replace(suffix.begin(), suffix.end(), '.', '_');
      table.name = TableName{root.schema, root.table + "_" + suffix};
    }
    table.add("_row_id", SqlType::big_int(), Nullability::not_null);
    table.primary_key = {"_row_id"};
    if (t != 0) {
      table.add("_parent_row_id", SqlType::big_int(), Nullability::not_null);
      table.foreign_keys.push_back({{"_parent_row_id"}, definitions[plan.parent].name, {"_row_id"}});
    }
    for (std::size_t c = 0; c < plan.columns.size(); ++c) {
      if (!plan.omitted[c]) {
        table.add(plan.names[c], plan.inferences[c].type());
      }
    }
    definitions.push_back(std::move(table));
  }
  return definitions;
}

std::vector<SourceTable> JsonSource::tables(const TableName& root) const {
  std::vector<SourceTable> tables;
  for (auto& definition : table_definitions(root)) {
    const bool child = !tables.empty();
    std::vector<std::string> notes{child ? fmt::format("JSON array \"{}\" of each record", m_tables[tables.size()].path)
                                         : std::string("JSON records")};
    if (!child) {
      notes.insert(notes.end(), m_notes.begin(), m_notes.end());
    }
    tables.push_back({std::move(definition), {}, child, std::move(notes)});
  }
  return tables;
}

} // namespace hyperpipe::sources
