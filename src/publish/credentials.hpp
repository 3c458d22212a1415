#pragma once
// Tableau credentials: a personal access token, a user name and password, a connected app whose
// tokens hyperpipe signs itself, or a ready-made JWT. They come from the environment or a
// credentials file, never from the command line, and never appear in logs or messages
// (describe() names the kind, not the secret).

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "hyperpipe/error.hpp"

namespace hyperpipe::publish {

struct Credentials {
  enum class Kind { token, password, connected_app, jwt };
  Kind kind = Kind::token;
  std::string name;   ///< token name or user name (not secret); for a connected app, the user it signs in as
  std::string secret; ///< token secret, password, the connected app's secret value, or a JWT
  std::string client_id = {}; ///< connected app: its client id (not secret)
  std::string secret_id = {}; ///< connected app: the id of the secret (not secret)

  /// "personal access token "ci"", "user "ann"", "connected app "<client id>" as "ann"",
  /// "connected-app JWT": safe to print.
  std::string describe() const;
};

/// Reads, in this order, HYPERPIPE_TABLEAU_TOKEN_NAME/_SECRET; HYPERPIPE_TABLEAU_CLIENT_ID,
/// _SECRET_ID, _SECRET_VALUE and _USERNAME (a connected app); HYPERPIPE_TABLEAU_USERNAME/_PASSWORD;
/// or HYPERPIPE_TABLEAU_JWT, through `environment`, or, when `file` is given, the same keys as
/// KEY=VALUE lines of that file.
Result<Credentials> load_credentials(const std::optional<std::filesystem::path>& file,
                                     const std::function<std::optional<std::string>(const std::string&)>& environment);

/// Replaces every occurrence of the secret in `text` with "[redacted]".
std::string redact(std::string text, const Credentials& credentials);

} // namespace hyperpipe::publish
