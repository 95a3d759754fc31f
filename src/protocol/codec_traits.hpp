// Type traits shared by the JSON encoder and decoder (internal to src/protocol).
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

namespace yollayah::protocol {
template <class T>
struct Extension;
}

namespace yollayah::protocol::detail {

using protocol::Extension;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_optional<Extension<T>> : std::true_type {};  // read and written like an optional…
template <class T>
struct is_extension : std::false_type {};
template <class T>
struct is_extension<Extension<T>> : std::true_type {};  // …but left out when absent
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

}  // namespace yollayah::protocol::detail
