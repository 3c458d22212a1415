#include "publish/credentials.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>

namespace hyperpipe::publish {

std::string Credentials::describe() const {
  switch (kind) {
  case Kind::token: return fmt::format("personal access token \"{}\"", name);
  case Kind::password: return fmt::format("user \"{}\"", name);
  case Kind::jwt: return "connected-app JWT";
  }
  return "credentials";
}

Result<Credentials> load_credentials(const std::optional<std::filesystem::path>& file,
                                     const std::function<std::optional<std::string>(const std::string&)>& environment) {
  std::map<std::string, std::string> values;
  if (file) {
    std::ifstream in(*file);
    if (!in) {
      return make_error(ErrorKind::not_found, fmt::format("{}: cannot read the credentials file", file->string()));
    }
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      const auto equals = line.find('=');
      if (line.empty() || line.front() == '#' || equals == std::string::npos) {
        continue;
      }
      values[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  const auto get = [&](const std::string& key) -> std::optional<std::string> {
    if (file) {
      const auto found = values.find(key);
      return found == values.end() || found->second.empty() ? std::nullopt : std::optional(found->second);
    }
    return environment(key);
  };
  if (auto name = get("HYPERPIPE_TABLEAU_TOKEN_NAME")) {
    auto secret = get("HYPERPIPE_TABLEAU_TOKEN_SECRET");
    if (!secret) {
      return make_error(ErrorKind::invalid_argument, "HYPERPIPE_TABLEAU_TOKEN_NAME is set but HYPERPIPE_TABLEAU_TOKEN_SECRET is not");
    }
    return Credentials{Credentials::Kind::token, *name, *secret};
  }
  if (auto user = get("HYPERPIPE_TABLEAU_USERNAME")) {
    auto password = get("HYPERPIPE_TABLEAU_PASSWORD");
    if (!password) {
      return make_error(ErrorKind::invalid_argument, "HYPERPIPE_TABLEAU_USERNAME is set but HYPERPIPE_TABLEAU_PASSWORD is not");
    }
    return Credentials{Credentials::Kind::password, *user, *password};
  }
  if (auto jwt = get("HYPERPIPE_TABLEAU_JWT")) {
    return Credentials{Credentials::Kind::jwt, "", *jwt};
  }
  return make_error(ErrorKind::invalid_argument, "no Tableau credentials",
                    "set HYPERPIPE_TABLEAU_TOKEN_NAME and HYPERPIPE_TABLEAU_TOKEN_SECRET (a personal access token), "
                    "HYPERPIPE_TABLEAU_USERNAME and HYPERPIPE_TABLEAU_PASSWORD, or HYPERPIPE_TABLEAU_JWT, "
                    "in the environment or in a --credentials-file");
}

std::string redact(std::string text, const Credentials& credentials) {
  if (credentials.secret.empty()) {
    return text;
  }
  constexpr std::string_view k_mask = "[redacted]";
  for (auto at = text.find(credentials.secret); at != std::string::npos;
       at = text.find(credentials.secret, at + k_mask.size())) {
    text.replace(at, credentials.secret.size(), k_mask);
  }
  return text;
}

} // namespace hyperpipe::publish
