#include "publish/connected_app_token.hpp"

#include <jwt.h>

#include <cstdlib>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hyperpipe::publish {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct CharFree {
  void operator()(char* text) const { std::free(text); }
};

} // namespace

const std::vector<std::string>& publishing_scopes() {
  // What hyperpipe's calls need once signed in, after Tableau's "Access Scopes for Connected
  // Apps" (scopes are tableau:<resource>:<action>) and the scopes Tableau's own MCP server asks
  // for: listing projects and data sources (content:read), the upload and the publish, the
  // publish job, certification and description (datasources:update), tags, and data-quality
  // warnings (labels). Sign-in, sign-out and the current session need none.
  static const std::vector<std::string> scopes{
      "tableau:content:read",           "tableau:file_uploads:create", "tableau:datasources:create",
      "tableau:jobs:read",              "tableau:datasources:update",  "tableau:datasource_tags:update",
      "tableau:labels:read",            "tableau:labels:create",       "tableau:labels:delete",
  };
  return scopes;
}

Result<std::string> sign_connected_app_token(const Credentials& app, const ConnectedAppClaims& claims) {
  if (app.kind != Credentials::Kind::connected_app) {
    return make_error(ErrorKind::internal, "a connected-app token was asked for other credentials");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) {
    return make_error(ErrorKind::internal, "libjwt could not create a token");
  }
  const std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>((claims.now + claims.lifetime).time_since_epoch()).count();
  const nlohmann::json scopes = {{"scp", claims.scopes}};
  const bool built =
      jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(app.secret.data()),
                  static_cast<int>(app.secret.size())) == 0 &&
      jwt_add_header(jwt.get(), "kid", app.secret_id.c_str()) == 0 &&
      jwt_add_header(jwt.get(), "iss", app.client_id.c_str()) == 0 &&
      jwt_add_grant(jwt.get(), "iss", app.client_id.c_str()) == 0 && jwt_add_grant(jwt.get(), "sub", app.name.c_str()) == 0 &&
      jwt_add_grant(jwt.get(), "aud", "tableau") == 0 && jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(exp)) == 0 &&
      jwt_add_grant(jwt.get(), "jti", claims.token_id.c_str()) == 0 &&
      jwt_add_grants_json(jwt.get(), scopes.dump().c_str()) == 0;
  if (!built || app.secret.empty()) {
    return make_error(ErrorKind::invalid_argument, fmt::format("cannot sign a token for {}", app.describe()),
                      "check HYPERPIPE_TABLEAU_SECRET_VALUE: the connected app's secret value, not its id");
  }
  const std::unique_ptr<char, CharFree> token(jwt_encode_str(jwt.get()));
  if (!token) {
    return make_error(ErrorKind::internal, fmt::format("libjwt could not sign the token for {}", app.describe()));
  }
  return std::string(token.get());
}

std::string random_token_id() {
  std::random_device device; // /dev/urandom on Linux
  std::string id;
  for (int i = 0; i < 4; ++i) {
    id += fmt::format("{:08x}", device());
  }
  return id;
}

} // namespace hyperpipe::publish
