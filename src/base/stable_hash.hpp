#pragma once
// A 64-bit FNV-1a hash: the same on every build and machine (std::hash promises neither), for
// names that must stay stable across runs and versions — lock files, request ids.

#include <cstdint>
#include <string_view>

namespace hyperpipe::base {

class StableHash {
public:
  StableHash& add(std::string_view bytes) {
    for (const char c : bytes) {
      m_hash ^= static_cast<unsigned char>(c);
      m_hash *= 1099511628211ULL;
    }
    return *this;
  }
  /// A field of its own: "ab" + "c" and "a" + "bc" hash differently.
  StableHash& field(std::string_view bytes) { return add(bytes).add(std::string_view("\0", 1)); }
  std::uint64_t value() const { return m_hash; }

private:
  std::uint64_t m_hash = 14695981039346656037ULL;
};

inline std::uint64_t stable_hash(std::string_view bytes) { return StableHash().add(bytes).value(); }

} // namespace hyperpipe::base
