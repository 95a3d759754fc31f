// The web page in a real browser (Debian's chromium, headless, driven by playwright-core from
// tests/npm): it connects with the token, streams and renders Markdown, runs nothing of a hostile
// answer, stops an answer on Esc, and asks for a token when the one it has is refused.
#include "gateway/gateway_fixture.hpp"
#include "gateway/run_tool.hpp"

#include <filesystem>
#include <fstream>

namespace yollayah::test {
namespace {

// One token per line; "\n" is a newline (ollama-sim --script format).
const char* kMarkdown =
    "# Plan\\n\n\\n\nSome **bold** words.\\n\n\\n\n| tool | use |\\n\n|---|---|\\n\n| cmake | build |\\n\n"
    "| ctest | test |\\n\n\\n\n- one\\n\n- two\\n\n- three\\n\n\\n\n```cpp\\n\nint main() { return 0; }\\n\n```\\n\n";
const char* kHostile =
    "Look <img src=x onerror=\"window.__pwned=1\"> and \n[click me](javascript:window.__pwned=2) and \n"
    "<a href=\"javascript:window.__pwned=3\">raw</a> <script>window.__pwned=4</script>\n"
    "<svg onload=\"window.__pwned=5\"></svg> <iframe src=\"javascript:window.__pwned=6\"></iframe> done\n";

TEST(GatewayPage, InChromiumThePageStreamsMarkdownRunsNoHostileCodeAndStopsOnEsc) {
  const std::string npm_dir = npm_clients_dir();
  if (!on_path("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/setup installs Debian's chromium)";
  if (!on_path("node")) GTEST_SKIP() << "node is not installed (scripts/setup installs it)";
  ASSERT_TRUE(std::filesystem::exists(npm_dir + "/node_modules/playwright-core/package.json"))
      << "playwright-core is missing: run scripts/setup (npm ci in tests/npm)";
  const std::string md = write_temp_file(kMarkdown);
  const std::string hostile = write_temp_file(kHostile);
  GatewayUnderTest g({"--seed", "7", "--tokens", "400", "--tokens-per-sec", "40", "--route", "ROUTE_HOSTILE=" + hostile,
                      "--route", "ROUTE_MD=" + md});
  // The browser runs at the lowest priority: on 2 shared cores it would otherwise starve the loops
  // whose stall budget the fixture checks. Even so, chromium starting and rendering beside other
  // tests preempts the Conductor's thread (measured with three of these tests and
  // store_tests at once: 66-274 ms): that is the machine, not a handler blocking, so the budget is 1 s
  // here. Loop latency is measured by the gateway benchmarks and the integration tests.
  g.set_stall_budget(std::chrono::milliseconds(1000));
  // Screenshots go to a temporary directory (YOLLAYAH_SCREENSHOTS to keep them), never the repo.
  const char* keep = std::getenv("YOLLAYAH_SCREENSHOTS");
  const std::string shots = keep ? keep : std::filesystem::temp_directory_path().string();
  const auto r = run("nice -n 19 node " + npm_dir + "/page.mjs '" + g.gateway().page_url() + "' " + shots);
  std::filesystem::remove(md);
  std::filesystem::remove(hostile);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto v = boost::json::parse(last_line(r.output)).as_object();
  ASSERT_FALSE(v.contains("failure")) << r.output;

  EXPECT_TRUE(v.at("connected").as_bool());
  EXPECT_EQ(v.at("hash_after_load").as_string(), "") << "the token stays in the address bar";
  EXPECT_EQ(v.at("libraries").at("marked").as_string(), "object") << "web/node_modules was not embedded";
  const auto& m = v.at("markdown");
  EXPECT_EQ(m.at("h1").as_int64(), 1) << r.output;
  EXPECT_EQ(m.at("strong").as_int64(), 1);
  EXPECT_EQ(m.at("table_cells").as_int64(), 4);
  EXPECT_EQ(m.at("list_items").as_int64(), 3);
  EXPECT_EQ(m.at("highlighted").as_int64(), 1);
  EXPECT_EQ(m.at("copy_buttons").as_int64(), 1);
  EXPECT_FALSE(m.at("meta").as_string().empty()) << "the answer names its model";

  const auto& h = v.at("hostile");
  EXPECT_TRUE(h.at("pwned").is_null()) << r.output;
  EXPECT_EQ(h.at("handlers").as_int64(), 0);
  EXPECT_EQ(h.at("js_links").as_int64(), 0);
  EXPECT_EQ(h.at("scripts").as_int64(), 0);
  EXPECT_NE(h.at("text").as_string().find("done"), std::string::npos) << "the harmless text is still shown: " << h.at("text");
  EXPECT_EQ(v.at("pages_open").as_int64(), 1) << "a hostile link opened a page";
  EXPECT_EQ(v.at("dialogs").as_int64(), 0);
  EXPECT_TRUE(v.at("page_errors").as_array().empty()) << r.output;
  EXPECT_TRUE(v.at("console_errors").as_array().empty()) << "a CSP violation or a failed load outside the sanitizer: " << r.output;
  EXPECT_TRUE(v.at("external_requests").as_array().empty()) << r.output;

  EXPECT_TRUE(v.at("stop_visible").as_bool());
  EXPECT_TRUE(v.at("cancel").at("interrupted").as_bool()) << r.output;
  EXPECT_NE(v.at("cancel").at("meta").as_string().find("stopped"), std::string::npos);
  EXPECT_TRUE(v.at("send_visible_after").as_bool());
  EXPECT_TRUE(v.at("bad_token_dialog").as_bool());
}

// A port nobody listens on now (bound, read, released), for a daemon that must come back on it.
std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

TEST(GatewayPage, InChromiumThePageShowsReconnectingAcrossADaemonRestartAndRecovers) {
  const std::string npm_dir = npm_clients_dir();
  if (!on_path("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/setup installs Debian's chromium)";
  if (!on_path("node")) GTEST_SKIP() << "node is not installed (scripts/setup installs it)";
  ASSERT_TRUE(std::filesystem::exists(npm_dir + "/node_modules/playwright-core/package.json"))
      << "playwright-core is missing: run scripts/setup (npm ci in tests/npm)";
  SimProcess sim({"--tokens", "6", "--tokens-per-sec", "0"});
  TempDir dir;
  {
    std::ofstream toml(dir.file("conductor.toml"));
    toml << "[gateway]\napi_keys_env = \"YOLLAYAH_PAGE_KEY\"\n";
  }
  // The page's token: an API key, which outlives a restart (the session token is new each start).
  const auto r = run("env YOLLAYAH_PAGE_KEY='page+key/1=' nice -n 19 node " + npm_dir + "/reconnect.mjs " YOLLAYAH_BIN_DIR
                     "/conductord " + sim.url() + " " + std::to_string(free_port()) + " " + dir.file(""));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto v = boost::json::parse(last_line(r.output)).as_object();
  ASSERT_FALSE(v.contains("failure")) << r.output;
  EXPECT_TRUE(v.at("first_chat").as_bool());
  ASSERT_EQ(v.at("states").as_array().size(), 3u) << r.output;
  EXPECT_EQ(v.at("states").at(1).as_string(), "reconnecting");
  EXPECT_NE(v.at("status_text").as_string().find("reconnecting"), std::string::npos);
  EXPECT_TRUE(v.at("second_chat").as_bool()) << r.output;
}

}  // namespace
}  // namespace yollayah::test
