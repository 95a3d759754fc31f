// Type traits shared by the JSON encoder and decoder (internal to src/protocol).
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

namespace yollayah::protocol::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

}  // namespace yollayah::protocol::detail
