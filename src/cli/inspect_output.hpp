#pragma once
// How `inspect` shows an extract, shared by `inspect` and `example`.

#include <string>

#include "hyperpipe/inspect.hpp"

namespace hyperpipe::cli {

std::string inspect_text(const ExtractInfo& info);
std::string inspect_json(const ExtractInfo& info);

} // namespace hyperpipe::cli
