#pragma once
// PGHOSTADDR, set aside. libpq sends a connection to PGHOSTADDR whenever it is set, even one whose
// host is a Unix socket folder — hyperd's included, which would then miss its private socket. The
// variable is meant for the user's PostgreSQL servers, so a program takes it out of its
// environment once at start (before any thread runs) and PostgreSQL sources read it from here.

#include <optional>
#include <string>

namespace hyperpipe::base {

/// Moves PGHOSTADDR out of the environment into this module. Call once, before threads start.
void set_aside_pghostaddr();

/// PGHOSTADDR as the user set it: the set-aside value, else the live variable; empty = none.
std::optional<std::string> pghostaddr();

} // namespace hyperpipe::base
