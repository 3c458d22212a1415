#include "sources/api/schema_drift.hpp"

#include <fmt/format.h>

namespace hyperpipe::sources {
namespace {

const char* kind_of(simdjson::dom::element value) {
  switch (value.type()) {
  case simdjson::dom::element_type::ARRAY: return "array";
  case simdjson::dom::element_type::OBJECT: return "object";
  case simdjson::dom::element_type::INT64:
  case simdjson::dom::element_type::UINT64: return "integer";
  case simdjson::dom::element_type::DOUBLE: return "number";
  case simdjson::dom::element_type::STRING: return "string";
  case simdjson::dom::element_type::BOOL: return "boolean";
  case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "null";
}

constexpr int k_max_depth = 10; // as deep as JSON flattening goes by default

} // namespace

void DriftTracker::observe(std::uint64_t page, simdjson::dom::element record) {
  simdjson::dom::object object;
  if (record.get_object().get(object) != simdjson::SUCCESS) {
    visit(page, "", record, 0);
    return;
  }
  for (const auto field : object) {
    visit(page, std::string(field.key), field.value, 1);
  }
}

void DriftTracker::visit(std::uint64_t page, const std::string& name, simdjson::dom::element value, int depth) {
  const std::string kind = kind_of(value);
  if (kind == "object" && depth < k_max_depth) {
    simdjson::dom::object object = value.get_object().value();
    for (const auto field : object) {
      visit(page, fmt::format("{}.{}", name, field.key), field.value, depth + 1);
    }
    // An object where a scalar was (or the reverse) is a change of its own.
  }
  if (kind == "null") {
    return;
  }
  const auto known = m_kinds.find(name);
  if (known == m_kinds.end()) {
    m_kinds.emplace(name, kind);
    if (page > 1 && !m_reported[name]) {
      m_reported[name] = true;
      m_changes.push_back(fmt::format("page {}: new field \"{}\" ({})", page, name, kind));
    }
    return;
  }
  if (known->second != kind && !m_reported[name + "\n" + kind]) {
    m_reported[name + "\n" + kind] = true;
    m_changes.push_back(fmt::format("page {}: field \"{}\" was {}, now {}", page, name, known->second, kind));
  }
}

} // namespace hyperpipe::sources
