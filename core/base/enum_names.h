#pragma once
// A table of an enum's values and their names (the API's spelling), and the two look-ups every
// such table needs. One table per enum is the single place its names are spelled.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace w2v {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of v; the table's first name when v is not in it.
template <class E, std::size_t N>
constexpr std::string_view name_of(const EnumName<E> (&table)[N], E v) noexcept {
  for (const auto& e : table)
    if (e.value == v) return e.name;
  return table[0].name;
}

template <class E, std::size_t N>
constexpr std::optional<E> value_of(const EnumName<E> (&table)[N], std::string_view name) noexcept {
  for (const auto& e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

// Every name, in the table's order (a form's or a command line's choices).
template <class E, std::size_t N>
constexpr std::array<std::string_view, N> names_of(const EnumName<E> (&table)[N]) {
  std::array<std::string_view, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = table[i].name;
  return out;
}

}  // namespace w2v
