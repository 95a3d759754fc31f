#include "backend/json_write.hpp"

#include <charconv>

namespace yollayah::backend {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void append_json_number(std::string& out, double value) {
  char num[32];
  auto [end, ec] = std::to_chars(num, num + sizeof num, value);
  (void)ec;
  out.append(num, end);
}

void append_json_number(std::string& out, long long value) {
  char num[32];
  auto [end, ec] = std::to_chars(num, num + sizeof num, value);
  (void)ec;
  out.append(num, end);
}

std::string_view role_name(ChatMessage::Role role) {
  switch (role) {
    case ChatMessage::Role::System: return "system";
    case ChatMessage::Role::Assistant: return "assistant";
    case ChatMessage::Role::User: break;
  }
  return "user";
}

std::size_t estimated_json_size(const ChatRequest& request) {
  std::size_t size = 160 + request.model.size();
  for (const auto& m : request.messages) size += 40 + m.content.size() + m.content.size() / 8;
  return size;
}

void append_messages(std::string& out, const ChatRequest& request) {
  out.push_back('[');
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"role\":\"";
    out += role_name(request.messages[i].role);
    out += "\",\"content\":";
    append_json_string(out, request.messages[i].content);
    out.push_back('}');
  }
  out.push_back(']');
}

namespace {

// {"model":…,"messages":[…],"stream":true, the start both APIs' bodies share, left open.
std::string open_chat_body(const ChatRequest& request) {
  std::string out;
  out.reserve(estimated_json_size(request));
  out += "{\"model\":";
  append_json_string(out, request.model);
  out += ",\"messages\":";
  append_messages(out, request);
  out += ",\"stream\":true";
  return out;
}

}  // namespace

std::string ollama_chat_body(const ChatRequest& request) {
  std::string out = open_chat_body(request);
  if (request.temperature || request.num_predict) {
    out += ",\"options\":{";
    if (request.temperature) {
      out += "\"temperature\":";
      append_json_number(out, *request.temperature);
    }
    if (request.num_predict) {
      if (request.temperature) out.push_back(',');
      out += "\"num_predict\":";
      append_json_number(out, static_cast<long long>(*request.num_predict));
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

std::string openai_chat_body(const ChatRequest& request, bool include_usage) {
  std::string out = open_chat_body(request);
  if (include_usage) out += ",\"stream_options\":{\"include_usage\":true}";
  if (request.temperature) {
    out += ",\"temperature\":";
    append_json_number(out, *request.temperature);
  }
  if (request.num_predict) {
    out += ",\"max_tokens\":";
    append_json_number(out, static_cast<long long>(*request.num_predict));
  }
  out.push_back('}');
  return out;
}

}  // namespace yollayah::backend
