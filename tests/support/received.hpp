// Queries over the messages a test surface received (shared by the in-process and socket harnesses).
#pragma once

#include "protocol/messages.hpp"

#include <string>
#include <vector>

namespace yollayah::test {

// Every received message of type T, in order.
template <class T>
std::vector<T> all_of(const std::vector<protocol::ConductorMessage>& received) {
  std::vector<T> out;
  for (const auto& m : received)
    if (auto* p = std::get_if<T>(&m)) out.push_back(*p);
  return out;
}

// The text of every Token, concatenated.
inline std::string tokens_text_of(const std::vector<protocol::ConductorMessage>& received) {
  std::string s;
  for (const auto& m : received)
    if (auto* t = std::get_if<protocol::msg::Token>(&m)) s += t->text;
  return s;
}

}  // namespace yollayah::test
