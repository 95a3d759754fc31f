// The headless surface: sends one prompt, streams its own answer (tags already removed by the
// Conductor) to an output, then the answers of the agents that answer spawned, each under a
// heading, and Yollayah's follow-up that sums them up; reports how the turn ended. It follows only
// its own turn (the Ack names the answer's id), so a session shared with other surfaces does not
// mix their answers into its output. Used by `yollayah ask`.
#pragma once

#include "protocol/messages.hpp"
#include "transport/link.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace yollayah::headless {

namespace asio = boost::asio;

struct AskOutcome {
  enum class Kind : std::uint8_t { Answered, Cancelled, Failed, Rejected, Closed };
  Kind kind = Kind::Closed;
  std::string error;  // one line for the user when not Answered

  int exit_code() const;
};

struct AskOptions {
  std::string prompt;
  bool json = false;          // print every ConductorMessage as a JSON line instead of the text
  bool quiet_agents = false;  // leave the agents' answers out (the follow-up is still printed)
};

// Writes output; called on the surface's executor with each batch's text, in order.
using OutputFn = std::function<asio::awaitable<void>(std::string_view)>;

// Runs the exchange over `link`: Handshake (v2, Headless), the prompt, then the stream.
asio::awaitable<AskOutcome> run_ask(transport::ConductorLink& link, AskOptions options, OutputFn output);

}  // namespace yollayah::headless
