#include "publish/credentials.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <map>
#include <utility>
#include <vector>

namespace hyperpipe::publish {

std::string Credentials::describe() const {
  switch (kind) {
  case Kind::token: return fmt::format("personal access token \"{}\"", name);
  case Kind::password: return fmt::format("user \"{}\"", name);
  case Kind::connected_app: return fmt::format("connected app \"{}\" as user \"{}\"", client_id, name);
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
  if (auto client_id = get("HYPERPIPE_TABLEAU_CLIENT_ID")) {
    std::vector<std::string> missing;
    auto secret_id = get("HYPERPIPE_TABLEAU_SECRET_ID");
    auto secret_value = get("HYPERPIPE_TABLEAU_SECRET_VALUE");
    auto user = get("HYPERPIPE_TABLEAU_USERNAME");
    for (const auto& [key, value] : {std::pair{"HYPERPIPE_TABLEAU_SECRET_ID", &secret_id},
                                     std::pair{"HYPERPIPE_TABLEAU_SECRET_VALUE", &secret_value},
                                     std::pair{"HYPERPIPE_TABLEAU_USERNAME", &user}}) {
      if (!*value) {
        missing.emplace_back(key);
      }
    }
    if (!missing.empty()) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("HYPERPIPE_TABLEAU_CLIENT_ID is set (a connected app) but {} {} not",
                                    fmt::join(missing, " and "), missing.size() == 1 ? "is" : "are"),
                        "a connected app needs its client id, secret id and secret value, and the Tableau user "
                        "to sign in as (HYPERPIPE_TABLEAU_USERNAME)");
    }
    Credentials credentials{Credentials::Kind::connected_app, *user, *secret_value, *client_id, *secret_id};
    return credentials;
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
                    "HYPERPIPE_TABLEAU_CLIENT_ID, _SECRET_ID, _SECRET_VALUE and _USERNAME (a connected app), "
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
