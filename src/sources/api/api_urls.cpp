#include "sources/api/api_urls.hpp"

#include <fmt/format.h>

#include "net/http.hpp"

namespace hyperpipe::sources {

// Dotted path ("data.items") to a JSON pointer ("/data/items").
std::string pointer_of(std::string_view dotted) {
  std::string pointer;
  std::size_t start = 0;
  while (start <= dotted.size() && !dotted.empty()) {
    const auto dot = dotted.find('.', start);
    std::string part(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    std::string escaped;
    for (char c : part) {
      escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    }
    pointer += '/' + escaped;
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return pointer;
}

std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

// A next-page reference as an absolute URL: relative ones resolve against the API's origin (or
// its path); the API key goes along when the original request sent it in the query.
std::string resolve_next(const std::string& api_url, std::string next,
                         const std::optional<std::pair<std::string, std::string>>& query_key) {
  if (next.empty()) {
    return next;
  }
  const std::string path = api_url.substr(0, api_url.find('?')); // the URL without its query
  if (next.starts_with("/")) {
    next = origin_of(api_url) + next;
  } else if (next.starts_with("?")) {
    next = path + next;
  } else if (next.find("://") == std::string::npos) {
    next = path.substr(0, path.rfind('/') + 1) + next;
  }
  if (query_key && next.find(net::url_encode(query_key->first) + "=") == std::string::npos) {
    next = build_url(next, {*query_key});
  }
  return next;
}

// Credentials go with every page request, so a next page on another host is refused.
Status check_same_host(const std::string& api_url, const std::string& next_url) {
  if (origin_of(next_url) == origin_of(api_url)) {
    return {};
  }
  return make_error(ErrorKind::remote,
                    fmt::format("{}: the next page is on another host ({}); its credentials would go there too",
                                api_url, origin_of(next_url)),
                    "follow pages on the API's own host only");
}

std::string build_url(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string url = base;
  char separator = base.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    url += separator;
    url += net::url_encode(name);
    url += '=';
    url += net::url_encode(value);
    separator = '&';
  }
  return url;
}

std::string next_link(std::string_view header) {
  // <https://api.example.com/items?page=2>; rel="next", <...>; rel="last"
  std::size_t at = 0;
  while (at < header.size()) {
    const auto open = header.find('<', at);
    const auto close = header.find('>', open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      break;
    }
    const auto end = header.find(",<", close) == std::string_view::npos ? header.find(", <", close) : header.find(",<", close);
    const std::string_view params = header.substr(close + 1, end == std::string_view::npos ? std::string_view::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos) {
      return std::string(header.substr(open + 1, close - open - 1));
    }
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
  }
  return {};
}

} // namespace hyperpipe::sources
