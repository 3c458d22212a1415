#include "sources/json/json_source.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <unordered_map>

#include "sources/column_names.hpp"
#include "sources/json/json_records.hpp"

namespace hyperpipe::sources {
namespace {

namespace dom = simdjson::dom;
constexpr std::size_t k_batch_rows = 65'536;
constexpr std::size_t k_read_chunk = 1U << 20U;

// An array whose non-null elements are all objects becomes a child table.
bool is_array_of_objects(dom::array array) {
  bool any_object = false;
  for (dom::element element : array) {
    if (element.is_object()) {
      any_object = true;
    } else if (!element.is_null()) {
      return false;
    }
  }
  return any_object;
}

bool is_empty_array(dom::array array) {
  for (dom::element element : array) {
    if (!element.is_null()) {
      return false;
    }
  }
  return true;
}

// The text a value is converted from: strings as they are, everything else as JSON.
std::string value_text(dom::element element) {
  if (element.is_string()) {
    return std::string(std::string_view(element.get_string().value_unsafe()));
  }
  return simdjson::minify(element);
}

} // namespace

// Field names are resolved through a trie of the objects' keys, so a record's fields cost one
// hash lookup each and no string building.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
constexpr std::size_t k_none = static_cast<std::size_t>(-1);
struct FieldNode {
  std::string path; ///< dotted name within its table
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> children;
  std::size_t column = k_none;
  std::size_t child_table = k_none;
};

struct JsonSource::Impl {
  std::filesystem::path path;
  JsonOptions options;
  dom::parser parser;
  simdjson::padded_string document; ///< the whole file, in array / records-path mode
  bool ndjson = false;
  std::vector<FieldNode> nodes;
  std::vector<std::size_t> table_root; ///< per table, its root node
  std::uint64_t big_integers = 0;      ///< integers beyond 64 bits, kept as text (see parse_json)
  std::uint64_t duplicate_keys = 0;    ///< objects naming a key twice (discovery pass)
  std::string first_duplicate;         ///< "key" at record N, for the note

  // Calls `visit` for every record with its line (NDJSON) or 1-based position (array).
  Status for_each_record(const std::string& name, const std::function<Status(dom::element, std::uint64_t)>& visit) {
    JsonRecords records{path, options, parser, document, ndjson, big_integers};
    return records.for_each(name, visit);
  }
};

JsonSource::~JsonSource() = default;

namespace {

// What a walk over the records does with each value: discover and infer (first pass), or
// collect one table's rows (later passes).
class Walk {
public:
  Walk(JsonSource::Impl& impl, std::vector<JsonTablePlan>& tables, bool discovering)
      : m_impl(impl), m_tables(tables), m_discovering(discovering), m_next_id(tables.size(), 0) {}

  std::size_t target = 0;
  ColumnBatch* batch = nullptr;
  RejectSink* rejects = nullptr; ///< where bad rows go (a fail-on-error sink stops the load)
  std::uint64_t rejected = 0;
  std::function<Status(const ColumnBatch&)> flush;
  std::string source_name;

  Status record(dom::element element, std::uint64_t where) {
    m_where = where;
    m_record = element;
    if (!element.is_object()) {
      // Found by the discovery pass, before any row is written: it stops the load (there is no
      // table shape to put such a record in, even as a reject).
      return make_error(ErrorKind::value, fmt::format("{}: record {} is {}, not an object", source_name, where,
                                                      type_name(element.type())));
    }
    const dom::object object = element.get_object().value_unsafe();
    return row(0, object, 0);
  }

  std::uint64_t records_seen() const { return m_next_id.empty() ? 0 : m_next_id[0]; }

private:
  Status row(std::size_t table, dom::object object, std::uint64_t parent_id) {
    if (m_next_id.size() < m_tables.size()) {
      m_next_id.resize(m_tables.size(), 0);
    }
    const std::uint64_t id = ++m_next_id[table];
    const bool collecting = !m_discovering && table == target;
    if (collecting) {
      m_values.assign(m_tables[table].columns.size(), dom::element());
      m_present.assign(m_tables[table].columns.size(), false);
    }
    HP_TRY(fields(table, m_impl.table_root[table], object, 0, id, collecting));
    if (collecting) {
      HP_TRY(append_row(table, id, parent_id));
    }
    return {};
  }

  std::size_t node_for(std::size_t parent, std::string_view key) {
    auto& children = m_impl.nodes[parent].children;
    const auto found = children.find(key);
    if (found != children.end()) {
      return found->second;
    }
    FieldNode node;
    node.path = m_impl.nodes[parent].path.empty() ? std::string(key) : m_impl.nodes[parent].path + "." + std::string(key);
    m_impl.nodes.push_back(std::move(node));
    m_impl.nodes[parent].children.emplace(std::string(key), m_impl.nodes.size() - 1);
    return m_impl.nodes.size() - 1;
  }

  Status fields(std::size_t table, std::size_t parent_node, dom::object object, int depth, std::uint64_t id,
                bool collecting) {
    if (m_discovering && m_seen.size() <= static_cast<std::size_t>(depth)) {
      m_seen.resize(static_cast<std::size_t>(depth) + 1);
    }
    if (m_discovering) {
      m_seen[static_cast<std::size_t>(depth)].clear();
    }
    for (auto [key, value] : object) {
      const std::size_t node = node_for(parent_node, key);
      if (m_discovering) {
        // A key named twice in one object: JSON allows it, and only the last value is kept.
        auto& seen = m_seen[static_cast<std::size_t>(depth)];
        if (std::find(seen.begin(), seen.end(), node) != seen.end()) {
          if (m_impl.duplicate_keys++ == 0) {
            m_impl.first_duplicate = fmt::format("\"{}\" in record {}", std::string(key), m_where);
          }
        } else {
          seen.push_back(node);
        }
      }
      if (value.is_object() && depth < m_impl.options.max_depth) {
        const dom::object nested = value.get_object().value_unsafe();
        HP_TRY(fields(table, node, nested, depth + 1, id, collecting));
        continue;
      }
      const dom::array array = value.is_array() ? value.get_array().value_unsafe() : dom::array();
      if (value.is_array() && is_empty_array(array)) {
        continue; // [] (or only nulls) holds no value: no child rows, no column
      }
      if (value.is_array() && is_array_of_objects(array)) {
        const std::size_t child = child_table(table, node);
        // A child row's fields are collected separately from its parent's.
        auto saved_values = std::move(m_values);
        auto saved_present = std::move(m_present);
        for (dom::element element : array) {
          if (element.is_object()) {
            const dom::object child_object = element.get_object().value_unsafe();
            HP_TRY(row(child, child_object, id));
          }
        }
        m_values = std::move(saved_values);
        m_present = std::move(saved_present);
        continue;
      }
      const std::size_t column = column_of(table, node);
      if (m_discovering) {
        observe(m_tables[table].inferences[column], value);
      } else if (collecting) {
        m_values[column] = value;
        m_present[column] = true;
      }
    }
    return {};
  }

  void observe(TypeInference& inference, dom::element value) {
    switch (value.type()) {
    case dom::element_type::NULL_VALUE: return;
    case dom::element_type::BOOL: inference.observe(value.get_bool().value_unsafe() ? "true" : "false", {}); return;
    case dom::element_type::INT64: inference.observe_integer(value.get_int64().value_unsafe()); return;
    case dom::element_type::UINT64: inference.observe(std::to_string(value.get_uint64().value_unsafe()), {}); return;
    case dom::element_type::DOUBLE: inference.observe_floating(); return;
    case dom::element_type::STRING:
      inference.observe_string(value.get_string().value_unsafe(), m_impl.options.values);
      return;
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT: inference.observe_text(); return;
    }
  }

  std::size_t column_of(std::size_t table, std::size_t node) {
    FieldNode& field = m_impl.nodes[node];
    if (field.column == k_none) {
      // Only discovery adds columns; later passes see the same fields.
      field.column = m_tables[table].columns.size();
      m_tables[table].columns.push_back(field.path);
      m_tables[table].inferences.emplace_back();
    }
    return field.column;
  }

  std::size_t child_table(std::size_t parent, std::size_t node) {
    if (m_impl.nodes[node].child_table != k_none) {
      return m_impl.nodes[node].child_table;
    }
    JsonTablePlan plan;
    const std::string& field = m_impl.nodes[node].path;
    plan.path = m_tables[parent].path.empty() ? field : m_tables[parent].path + "." + field;
    plan.parent = parent;
    m_tables.push_back(std::move(plan));
    m_impl.nodes.emplace_back(); // the child table's own root
    m_impl.table_root.push_back(m_impl.nodes.size() - 1);
    m_impl.nodes[node].child_table = m_tables.size() - 1;
    m_next_id.push_back(0);
    return m_tables.size() - 1;
  }

  Status append_row(std::size_t table, std::uint64_t id, std::uint64_t parent_id) {
    ColumnBatch& out = *batch;
    const std::size_t rows_before = out.row_count();
    std::size_t first_value = 1;
    (void)out.column(0).append_int(static_cast<std::int64_t>(id));
    if (table != 0) {
      (void)out.column(1).append_int(static_cast<std::int64_t>(parent_id));
      first_value = 2;
    }
    const std::vector<bool>& omitted = m_tables[table].omitted;
    std::size_t next_column = first_value;
    for (std::size_t c = 0; c < m_values.size(); ++c) {
      if (omitted[c]) {
        continue;
      }
      Column& column = out.column(next_column++);
      if (!m_present[c] || m_values[c].is_null()) {
        HP_TRY(column.append_null());
        continue;
      }
      const dom::element value = m_values[c];
      const TypeKind kind = column.definition().type.kind();
      Status appended;
      // The common pairs go straight in; anything else converts through its text.
      if (value.is_string() && kind == TypeKind::text) {
        appended = column.append_text(value.get_string().value_unsafe());
      } else if (value.is_int64() && (kind == TypeKind::integer || kind == TypeKind::big_int)) {
        appended = column.append_int(value.get_int64().value_unsafe());
      } else if (value.is_number() && kind == TypeKind::double_precision) {
        appended = column.append_double(value.get_double().value_unsafe());
      } else if (value.is_bool() && kind == TypeKind::boolean) {
        appended = column.append_bool(value.get_bool().value_unsafe());
      } else if (value.is_string()) {
        appended = append_text_value(column, value.get_string().value_unsafe(), m_impl.options.values);
      } else {
        const std::string text = value_text(value);
        appended = kind == TypeKind::text ? column.append_text(text)
                                          : append_text_value(column, text, m_impl.options.values);
      }
      if (!appended) {
        const std::string reason =
            fmt::format("field \"{}\" ({}): {}", m_tables[table].columns[c], column.definition().type.sql(),
                        appended.error().detail.empty() ? appended.error().message : appended.error().detail);
        for (std::size_t j = 0; j < out.column_count(); ++j) {
          out.column(j).truncate(rows_before); // the row goes whole or not at all
        }
        ++rejected;
        return rejects->reject(RejectedRow{source_name, m_where, reason, {simdjson::minify(m_record)}});
      }
    }
    if (out.row_count() >= k_batch_rows) {
      HP_TRY(flush(out));
      out.clear();
    }
    return {};
  }

  JsonSource::Impl& m_impl;
  std::vector<JsonTablePlan>& m_tables;
  bool m_discovering;
  std::vector<std::uint64_t> m_next_id;
  std::vector<dom::element> m_values;
  std::vector<bool> m_present;
  std::uint64_t m_where = 0;
  std::vector<std::vector<std::size_t>> m_seen; ///< per depth: the keys of the object being walked
  dom::element m_record;
};

} // namespace

Result<std::unique_ptr<JsonSource>> JsonSource::open(const std::filesystem::path& path, const JsonOptions& options) {
  std::unique_ptr<JsonSource> source(new JsonSource());
  source->m_name = path.string();
  source->m_impl = std::make_unique<Impl>();
  Impl& impl = *source->m_impl;
  impl.path = path;
  impl.options = options;

  // Read the start to tell NDJSON from one document: up to the end of the first non-blank line.
  // NDJSON is then streamed; only a single document is held in memory whole.
  HP_ASSIGN_OR_RETURN(auto input, io::open_text_input(path, options.encoding));
  std::string content;
  std::string chunk(k_read_chunk, '\0');
  bool at_end = false;
  const auto read_more = [&]() -> Status {
    HP_ASSIGN_OR_RETURN(std::size_t got, input->read(chunk.data(), chunk.size()));
    at_end = got == 0;
    content.append(chunk, 0, got);
    return {};
  };
  auto first = std::string::npos;
  while (!at_end) {
    HP_TRY(read_more());
    first = content.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && content.find('\n', first) != std::string::npos) {
      break;
    }
  }
  if (first == std::string::npos) {
    return make_error(ErrorKind::value, fmt::format("{}: the file is empty", source->m_name));
  }
  // One object per line (NDJSON) unless a records path is given or the file is one array, or
  // its first line is not a complete JSON value (a pretty-printed document).
  if (options.records_path.empty() && content[first] != '[') {
    const auto line_end = content.find('\n', first);
    dom::element probe;
    const std::string_view first_line(content.data() + first,
                                      (line_end == std::string::npos ? content.size() : line_end) - first);
    std::uint64_t probed_big_integers = 0; // counted again in the discovery pass
    impl.ndjson = !parse_json(impl.parser, first_line, probe, probed_big_integers);
  }
  if (!impl.ndjson) {
    while (!at_end) {
      HP_TRY(read_more());
    }
    impl.document = simdjson::padded_string(content);
  }
  content.clear();
  content.shrink_to_fit();

  source->m_tables.push_back(JsonTablePlan{});
  impl.nodes.emplace_back();
  impl.table_root.push_back(0);
  Walk walk(impl, source->m_tables, true);
  walk.source_name = source->m_name;
  HP_TRY(impl.for_each_record(source->m_name, [&](dom::element record, std::uint64_t where) {
    return walk.record(record, where);
  }));
  HP_TRY(source->finish_discovery(walk.records_seen()));
  return source;
}

Status JsonSource::finish_discovery(std::uint64_t records) {
  m_records = records;
  if (m_impl->big_integers > 0) {
    m_notes.push_back(fmt::format("{} integer(s) beyond 64 bits were read exactly, as text",
                                  m_impl->big_integers));
  }
  if (m_impl->duplicate_keys > 0) {
    m_notes.push_back(fmt::format("{} object(s) name a key twice (first: {}); the last value of each was kept",
                                  m_impl->duplicate_keys, m_impl->first_duplicate));
  }
  for (auto& plan : m_tables) {
    plan.omitted.assign(plan.columns.size(), false);
    for (std::size_t c = 0; c < plan.columns.size(); ++c) {
      if (plan.inferences[c].saw_values()) {
        continue;
      }
      const std::string prefix = plan.columns[c] + ".";
      for (const auto& other : plan.columns) {
        if (other.starts_with(prefix)) {
          plan.omitted[c] = true;
          break;
        }
      }
    }
  }
  if (m_records == 0) {
    return make_error(ErrorKind::value, fmt::format("{}: no records", m_name));
  }
  return name_columns();
}

struct JsonInference::State {
  std::unique_ptr<JsonSource> source;
  std::optional<Walk> walk;
  dom::parser parser; ///< its own: the source's parser is for the later passes
  std::uint64_t records = 0;
};

JsonInference::JsonInference(const JsonOptions& options) : m_state(std::make_unique<State>()) {
  m_state->source.reset(new JsonSource());
  m_state->source->m_impl = std::make_unique<JsonSource::Impl>();
  JsonSource::Impl& impl = *m_state->source->m_impl;
  impl.options = options;
  impl.ndjson = true;
  m_state->source->m_tables.push_back(JsonTablePlan{});
  impl.nodes.emplace_back();
  impl.table_root.push_back(0);
  m_state->walk.emplace(impl, m_state->source->m_tables, true);
  m_state->walk->source_name = "the API's records";
}

JsonInference::~JsonInference() = default;

Status JsonInference::add(std::string_view record) {
  dom::element element;
  ++m_state->records;
  if (auto error = parse_json(m_state->parser, record, element, m_state->source->m_impl->big_integers)) {
    return make_error(ErrorKind::value, fmt::format("record {}: invalid JSON: {}", m_state->records,
                                                    simdjson::error_message(error)));
  }
  return m_state->walk->record(element, m_state->records);
}

Result<std::unique_ptr<JsonSource>> JsonInference::finish(const std::filesystem::path& ndjson) {
  JsonSource& source = *m_state->source;
  source.m_name = ndjson.string();
  source.m_impl->path = ndjson;
  m_state->walk->source_name = source.m_name;
  HP_TRY(source.finish_discovery(m_state->walk->records_seen()));
  m_state->walk.reset();
  return std::move(m_state->source);
}

Result<TableRead> JsonSource::read(std::size_t index, const TableDefinition& definition, const std::vector<bool>&,
                                   const BatchSink& sink, RejectSink& rejects) {
  ColumnBatch batch(definition);
  std::uint64_t delivered = 0;
  const BatchSink counted = [&](const ColumnBatch& full) {
    delivered += full.row_count();
    return sink(full);
  };
  Walk walk(*m_impl, m_tables, false);
  walk.target = index;
  walk.batch = &batch;
  walk.rejects = &rejects;
  walk.flush = counted;
  walk.source_name = m_name;
  HP_TRY(m_impl->for_each_record(m_name, [&](dom::element record, std::uint64_t where) {
    return walk.record(record, where);
  }));
  if (batch.row_count() > 0) {
    HP_TRY(counted(batch));
  }
  // The root's rows are the records; a child's are whatever its arrays held.
  return TableRead{index == 0 ? m_records : delivered + walk.rejected, walk.rejected, std::nullopt, {}};
}

} // namespace hyperpipe::sources
