#include "sources/api/response_cache.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>

#include <unistd.h>

namespace hyperpipe::sources {
namespace fs = std::filesystem;
namespace {

// FNV-1a: a second hash independent of std::hash, so two requests never share an entry.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

} // namespace

fs::path ResponseCache::entry(const std::string& request) const {
  return m_folder / fmt::format("{:016x}{:016x}.answer", fnv1a(request), std::hash<std::string>{}(request));
}

std::optional<net::HttpResponse> ResponseCache::lookup(const std::string& request, std::int64_t now) const {
  std::ifstream in(entry(request), std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string header;
  std::getline(in, header); // one JSON line: when, status, link header
  simdjson::dom::parser parser;
  simdjson::dom::element meta;
  if (parser.parse(header).get(meta) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::int64_t stored = 0;
  std::int64_t status = 0;
  if (meta["stored"].get(stored) != simdjson::SUCCESS || meta["status"].get(status) != simdjson::SUCCESS ||
      now - stored > m_ttl.count()) {
    return std::nullopt;
  }
  net::HttpResponse response;
  response.status = static_cast<long>(status);
  std::string_view link;
  if (meta["link"].get(link) == simdjson::SUCCESS && !link.empty()) {
    response.headers["link"] = std::string(link);
  }
  response.headers["content-type"] = "application/json";
  std::ostringstream body;
  body << in.rdbuf();
  response.body = body.str();
  return response;
}

void ResponseCache::store(const std::string& request, const net::HttpResponse& response, std::int64_t now) const {
  std::error_code ec;
  fs::create_directories(m_folder, ec);
  const fs::path target = entry(request);
  const fs::path temporary = fs::path(target.string() + fmt::format(".{}.tmp", ::getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    const auto link = response.headers.find("link");
    const nlohmann::json header = {{"stored", now}, {"status", response.status},
                                   {"link", link == response.headers.end() ? "" : link->second}};
    out << header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out << response.body;
    if (!out) {
      fs::remove(temporary, ec);
      return; // a cache that cannot be written is only slower
    }
  }
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
  }
}

} // namespace hyperpipe::sources
