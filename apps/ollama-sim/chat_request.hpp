// What both chat APIs read alike from a request body: the script its messages pick (--route), a
// final assistant message to continue, and a rough prompt size in tokens.
#pragma once

#include "completion.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace yollayah::sim {

// A message's content: a string, or OpenAI's array of parts ({"type":"text","text":…}) joined.
std::string content_text(const boost::json::value* content);

// Fills out.script, out.prefill and out.prompt_tokens from `body` (out.api says which API).
void read_chat_input(const SimContext& ctx, const boost::json::object& body, CompletionRequest& out);

}  // namespace yollayah::sim
