#include "backend/ollama_backend.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

namespace json = boost::json;

json::object parsed(const ChatRequest& r) {
  auto v = json::parse(ollama_chat_body(r));
  EXPECT_TRUE(v.is_object());
  return v.as_object();
}

TEST(OllamaChatBody, CarriesModelRolesAndStreamTrue) {
  ChatRequest r;
  r.model = "yollayah:latest";
  r.messages = {{ChatMessage::Role::System, "Be kind."},
                {ChatMessage::Role::User, "Hi"},
                {ChatMessage::Role::Assistant, "Hello!"}};
  auto o = parsed(r);
  EXPECT_EQ(o.at("model").as_string(), "yollayah:latest");
  EXPECT_EQ(o.at("stream").as_bool(), true);
  const auto& m = o.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].at("role").as_string(), "system");
  EXPECT_EQ(m[1].at("role").as_string(), "user");
  EXPECT_EQ(m[2].at("role").as_string(), "assistant");
  EXPECT_EQ(m[2].at("content").as_string(), "Hello!");
  EXPECT_FALSE(o.contains("options"));
}

TEST(OllamaChatBody, EscapesContentExactly) {
  ChatRequest r;
  r.model = "m\"x";
  const std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 caf\xC3\xA9 \xF0\x9F\xA6\x8E </script>";
  r.messages = {{ChatMessage::Role::User, tricky}};
  auto o = parsed(r);
  EXPECT_EQ(o.at("model").as_string(), "m\"x");
  EXPECT_EQ(o.at("messages").as_array()[0].at("content").as_string(), tricky);
}

TEST(OllamaChatBody, SendsOptionsOnlyWhenSet) {
  ChatRequest r;
  r.model = "m";
  r.temperature = 0.7;
  auto o = parsed(r);
  EXPECT_DOUBLE_EQ(o.at("options").at("temperature").as_double(), 0.7);
  EXPECT_FALSE(o.at("options").as_object().contains("num_predict"));
  EXPECT_NE(ollama_chat_body(r).find("\"temperature\":0.7"), std::string::npos);

  r.temperature.reset();
  r.num_predict = 128;
  o = parsed(r);
  EXPECT_EQ(o.at("options").at("num_predict").as_int64(), 128);
  EXPECT_FALSE(o.at("options").as_object().contains("temperature"));

  r.temperature = 0;
  o = parsed(r);
  EXPECT_EQ(o.at("options").as_object().size(), 2u);
}

}  // namespace
}  // namespace yollayah::backend
