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

}  // namespace yollayah::backend
