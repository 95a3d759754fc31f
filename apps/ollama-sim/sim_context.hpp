// What every ollama-sim connection shares: the options, the token source and the model store.
// One io_context thread runs the server, so this needs no locking.
#pragma once

#include "model_registry.hpp"
#include "sim_options.hpp"
#include "token_source.hpp"

namespace yollayah::sim {

struct SimContext {
  SimOptions options;
  TokenSource tokens;
  ModelRegistry models;
};

}  // namespace yollayah::sim
