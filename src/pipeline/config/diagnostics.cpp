#include "pipeline/config/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hyperpipe::pipeline {

std::string Diagnostic::describe(const std::string& file) const {
  std::string text = mark.line > 0 ? fmt::format("{}:{}:{}: ", file, mark.line, mark.column) : fmt::format("{}: ", file);
  if (!path.empty()) {
    text += path;
    text += ": ";
  }
  text += message;
  if (!hint.empty()) {
    text += fmt::format(" (hint: {})", hint);
  }
  return text;
}

void Diagnostics::add(Mark mark, std::string path, std::string message, std::string hint) {
  m_items.push_back({mark, std::move(path), std::move(message), std::move(hint)});
}

std::string Diagnostics::describe(const std::string& file) const {
  std::vector<Diagnostic> sorted = m_items;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
  });
  std::string text;
  for (const auto& item : sorted) {
    text += item.describe(file);
    text += '\n';
  }
  return text;
}

} // namespace hyperpipe::pipeline
