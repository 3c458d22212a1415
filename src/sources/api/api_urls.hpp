#pragma once
// The URLs of a paged web API, pure (text in, text out): query strings, JSON pointers to the
// records, the next page from a body or a Link header, and the rule that a page's credentials
// never go to another host.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::sources {

/// The URL of a request with its query parameters, percent-encoded.
std::string build_url(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params);

/// The rel="next" target of an RFC 8288 Link header value, or "".
std::string next_link(std::string_view header);

/// Dotted path ("data.items") to a JSON pointer ("/data/items").
std::string pointer_of(std::string_view dotted);

/// "https://host:port" of a URL.
std::string origin_of(const std::string& url);

/// A next-page reference as an absolute URL: relative ones resolve against the API's origin (or
/// its path); `query_key` (name, value) goes along when the original request sent it.
std::string resolve_next(const std::string& api_url, std::string next,
                         const std::optional<std::pair<std::string, std::string>>& query_key);

/// Credentials go with every page request, so a next page on another host is refused.
Status check_same_host(const std::string& api_url, const std::string& next_url);

} // namespace hyperpipe::sources
