#pragma once
// PGHOSTADDR and PGSERVICE, set aside. libpq sends a connection to PGHOSTADDR whenever it is
// set, even one whose host is a Unix socket folder — hyperd's included — and a service named by
// PGSERVICE can set hostaddr too; hyperd's connection would then miss its private socket. Both
// are meant for the user's PostgreSQL servers, so a program takes them out of its environment
// once at start (before any thread runs) and PostgreSQL sources read them from here.

#include <optional>
#include <string>

namespace hyperpipe::base {

/// Moves PGHOSTADDR and PGSERVICE out of the environment into this module. Call once, before
/// threads start.
void set_aside_pg_redirects();

/// PGHOSTADDR / PGSERVICE as the user set them: the set-aside value, else the live variable;
/// empty = none.
std::optional<std::string> pghostaddr();
std::optional<std::string> pgservice();

} // namespace hyperpipe::base
