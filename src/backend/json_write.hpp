// Writing the small JSON request bodies of the backends by hand: escaped strings and role names,
// appended to one reserved buffer (a long conversation is not copied through a DOM).
#pragma once

#include "backend/backend.hpp"

#include <string>
#include <string_view>

namespace yollayah::backend {

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

// Appends a number as JSON (shortest round-trip form).
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, long long value);

// "system", "user", "assistant".
std::string_view role_name(ChatMessage::Role role);

// The bytes a request's messages take, escaped, with room for the keys around them.
std::size_t estimated_json_size(const ChatRequest& request);

// [{"role":"…","content":"…"},…], the messages array both APIs share.
void append_messages(std::string& out, const ChatRequest& request);

// The /api/chat request body: {"model","messages":[…],"stream":true[,"options":{…}]}.
std::string ollama_chat_body(const ChatRequest& request);

// The /chat/completions request body: {"model","messages":[…],"stream":true,
// "stream_options":{"include_usage":true}[,"temperature"][,"max_tokens"]}.
std::string openai_chat_body(const ChatRequest& request, bool include_usage = true);

}  // namespace yollayah::backend
