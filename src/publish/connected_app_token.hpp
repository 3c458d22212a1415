#pragma once
// Tokens for a Tableau connected app with direct trust, signed here rather than by someone else
// ahead of time: a fresh one for every sign-in, so a schedule never holds a token that expired
// minutes after it was made. HS256 with the app's secret value (libjwt), the claims Tableau's
// "Configure Connected Apps with Direct Trust" page names: header kid = the secret id and iss =
// the client id; payload iss, sub = the Tableau user, aud = "tableau", exp, jti, scp.

#include <chrono>
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"
#include "publish/credentials.hpp"

namespace hyperpipe::publish {

/// Tableau accepts at most 10 minutes; 5 leaves room for a clock a little ahead of the server's.
inline constexpr std::chrono::minutes k_connected_app_token_lifetime{5};

struct ConnectedAppClaims {
  std::chrono::system_clock::time_point now;
  std::string token_id; ///< jti: unique per token
  std::vector<std::string> scopes;
  std::chrono::seconds lifetime = k_connected_app_token_lifetime;
};

/// The scopes hyperpipe's publishing calls need, and no others.
const std::vector<std::string>& publishing_scopes();

/// A signed JWT for `app` (kind connected_app). Pure apart from memory: the clock and the token
/// id come in through `claims`.
Result<std::string> sign_connected_app_token(const Credentials& app, const ConnectedAppClaims& claims);

/// 128 random bits as 32 hex digits, for a jti.
std::string random_token_id();

} // namespace hyperpipe::publish
