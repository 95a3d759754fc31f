// Shared by the Controller's tests: keys, typing, a ready Conductor and the screen as text.
#pragma once

#include "tui/app/controller.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace yollayah::tui::test {

// One clock reading for a whole test binary: the tests pass it (and offsets of it) as "now".
inline const app::Clock::time_point t0 = app::Clock::now();

inline term::KeyEvent key(term::Key k, std::uint8_t mods = 0) { return term::KeyEvent{k, mods, 0}; }
inline term::KeyEvent ch(char32_t c, std::uint8_t mods = 0) { return term::KeyEvent{term::Key::Char, mods, c}; }

inline void type(app::Controller& c, std::string_view text) {
  for (char x : text) c.on_input(ch(static_cast<unsigned char>(x)), t0);
}

inline std::string screen_text(const screen::Buffer& b) {
  std::string out;
  for (int y = 0; y < b.height(); ++y) {
    for (int x = 0; x < b.width(); ++x) out += b.at(x, y).text();
    out += '\n';
  }
  return out;
}

// The Conductor said hello and is ready; nothing left in the outbox.
inline void make_ready(app::Controller& c) {
  c.on_message(protocol::msg::SessionInfo{"s", "yollayah", true}, t0);
  c.on_message(protocol::msg::State{protocol::ConductorState::Ready}, t0);
  c.outbox().clear();
}

// A ready TUI that then got `message()` (a HistoryList, SearchResults…): the picker tests' fixture.
template <auto message>
class ReadyWith : public ::testing::Test {
 protected:
  ReadyWith() {
    make_ready(c);
    c.on_message(message(), t0);
  }
  app::Controller c;
};

}  // namespace yollayah::tui::test
