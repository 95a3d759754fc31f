// `yollayah ask` end to end, against a loopback HTTP server that records what reaches the model:
// the prompt arrives byte for byte whatever it holds (brackets, commas, dashes after --, quotes,
// UTF-8, empty words), bytes that are not UTF-8 arrive as U+FFFD with a line on stderr, and a
// malformed host (flag or environment) is exit 2 with one line. Blocking sockets and waits are
// fine here: the test's own threads, not an event loop.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/child_process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace yollayah::test {
namespace {

namespace json = boost::json;

// A stand-in Ollama on 127.0.0.1 (ephemeral port): answers /api/version, and /api/chat with a
// one-token stream, recording each chat request's body. One connection at a time, closed after
// each answer.
class RecordingOllama {
 public:
  RecordingOllama() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RecordingOllama() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> chat_bodies() const {
    std::lock_guard lock(mutex_);
    return chat_bodies_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      handle(fd);
      ::close(fd);
    }
  }

  void handle(int fd) {
    std::string in;
    char buf[4096];
    std::size_t header_end = std::string::npos;
    while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    std::string head = in.substr(0, header_end);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t length = 0;
    if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
      length = std::stoul(head.substr(at + 17));
    std::string body = in.substr(header_end + 4);
    while (body.size() < length) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;
      body.append(buf, static_cast<std::size_t>(n));
    }
    std::string status = "200 OK";
    std::string type = "application/json";
    std::string answer;
    if (head.starts_with("get /api/version ")) {
      answer = R"({"version":"0.5.0"})";
    } else if (head.starts_with("post /api/chat ")) {
      {
        std::lock_guard lock(mutex_);
        chat_bodies_.push_back(body);
      }
      type = "application/x-ndjson";
      answer = R"({"model":"sim","created_at":"2025-01-01T00:00:00Z",)"
               R"("message":{"role":"assistant","content":"ok"},"done":false})"
               "\n"
               R"({"model":"sim","created_at":"2025-01-01T00:00:00Z",)"
               R"("message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":1})"
               "\n";
    } else {
      status = "404 Not Found";
      answer = R"({"error":"not found"})";
    }
    const std::string out = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                            "\r\nContent-Length: " + std::to_string(answer.size()) + "\r\nConnection: close\r\n\r\n" +
                            answer;
    std::size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> chat_bodies_;
  std::thread thread_;
};

struct Run {
  int exit_code = -1;  // -1: did not finish in time, or died of a signal
  std::string out, err;
};

// Runs build/bin/yollayah with `args`, `input` on stdin, a clean environment for the Ollama host,
// config and history (plus `env`), and waits up to 10 s.
Run run_yollayah(const std::vector<std::string>& args, const std::string& input = "",
                 const std::vector<std::string>& env = {}) {
  TempDir dir;
  std::ofstream(dir.file("in"), std::ios::binary) << input;
  std::vector<std::string> argv_s{std::string(YOLLAYAH_BIN_DIR) + "/yollayah"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  const std::vector<std::string> cleared{"OLLAMA_HOST",          "YOLLAYAH_OLLAMA_HOST", "OLLAMA_PORT",
                                         "YOLLAYAH_MODEL",       "CONDUCTOR_TRANSPORT",  "CONDUCTOR_SOCKET",
                                         "XDG_CONFIG_HOME",      "XDG_STATE_HOME",       "XDG_DATA_HOME",
                                         "YOLLAYAH_NO_HISTORY"};
  // The caller's variables first: getenv() takes the first of a name.
  std::vector<std::string> env_s(env.begin(), env.end());
  env_s.push_back("XDG_CONFIG_HOME=" + dir.path());
  env_s.push_back("XDG_STATE_HOME=" + dir.path());
  env_s.push_back("XDG_DATA_HOME=" + dir.path());  // the history: never the real user's
  for (char** e = environ; *e; ++e) {
    const std::string_view entry = *e;
    const auto name = entry.substr(0, entry.find('='));
    if (std::find(cleared.begin(), cleared.end(), name) == cleared.end()) env_s.emplace_back(entry);
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, dir.file("in").c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  Run run;
  if (rc != 0) {
    run.err = "cannot spawn " + argv_s[0] + " (build the yollayah target)";
    return run;
  }
  int status = 0;
  bool done = false;
  for (int i = 0; i < 1000 && !(done = ::waitpid(pid, &status, WNOHANG) == pid); ++i) ::usleep(10000);
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  run.out = slurp(dir.file("out"));
  run.err = slurp(dir.file("err"));
  if (done && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

// The content of the last user message in a /api/chat request body.
std::string user_content(const std::string& body) {
  const auto value = json::parse(body);
  const auto& messages = value.at("messages").as_array();
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->at("role").as_string() == "user") return std::string(it->at("content").as_string());
  return "(no user message)";
}

// The content of the User message the Conductor echoed, from `ask --json` output.
std::string echoed_user_content(const std::string& out) {
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = std::min(out.find('\n', start), out.size());
    const auto value = json::parse(out.substr(start, end - start));
    if (const auto* m = value.as_object().if_contains("Message"); m && m->at("role").as_string() == "User")
      return std::string(m->at("content").as_string());
    start = end + 1;
  }
  return "(no User message)";
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

struct PromptCase {
  std::vector<std::string> words;  // after `ask` and its options
  std::string sent;                // what must reach the model
};

std::string printable(const std::string& s) { return ::testing::PrintToString(s); }

void PrintTo(const PromptCase& c, std::ostream* os) {
  *os << "ask";
  for (const auto& w : c.words) *os << " " << printable(w);
}

class AskPrompt : public ::testing::TestWithParam<PromptCase> {};

TEST_P(AskPrompt, ReachesTheModelByteForByte) {
  const auto& c = GetParam();
  RecordingOllama ollama;
  std::vector<std::string> args{"ask", "--host", ollama.host(), "--model", "sim"};
  args.insert(args.end(), c.words.begin(), c.words.end());
  const auto run = run_yollayah(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "ok\n");
  EXPECT_EQ(run.err, "");
  const auto bodies = ollama.chat_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(user_content(bodies[0]), c.sent);
}

TEST_P(AskPrompt, ReachesTheModelByteForByteInJsonMode) {
  const auto& c = GetParam();
  RecordingOllama ollama;
  std::vector<std::string> args{"ask", "--json", "--host", ollama.host(), "--model", "sim"};
  args.insert(args.end(), c.words.begin(), c.words.end());
  const auto run = run_yollayah(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto bodies = ollama.chat_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(user_content(bodies[0]), c.sent);
  EXPECT_EQ(echoed_user_content(run.out), c.sent);
}

INSTANTIATE_TEST_SUITE_P(
    AskCli, AskPrompt,
    ::testing::Values(PromptCase{{"[1,2,3]"}, "[1,2,3]"}, PromptCase{{"[a,b] and [c]"}, "[a,b] and [c]"},
                      PromptCase{{"[]"}, "[]"}, PromptCase{{"a,b", "c"}, "a,b c"},
                      PromptCase{{"--", "-x", "--json", "--"}, "-x --json --"},
                      PromptCase{{"--", "[x]"}, "[x]"},
                      // Options end at the first word of the prompt.
                      PromptCase{{"hello", "--json", "--model", "m"}, "hello --json --model m"},
                      PromptCase{{"ask", "me"}, "ask me"},
                      PromptCase{{"say \"hi\" and 'bye' {a,b} \\n $HOME"}, "say \"hi\" and 'bye' {a,b} \\n $HOME"},
                      PromptCase{{"caf\xC3\xA9 \xF0\x9F\xA6\x8E \xE2\x82\xAC"},
                                 "caf\xC3\xA9 \xF0\x9F\xA6\x8E \xE2\x82\xAC"},
                      PromptCase{{"a", "", "b"}, "a  b"}, PromptCase{{"trailing space "}, "trailing space "},
                      PromptCase{{"two\nlines\n"}, "two\nlines\n"}));

TEST(AskCli, StdinPromptKeepsBracketsAndDropsTheFinalLineBreak) {
  RecordingOllama ollama;
  const auto run = run_yollayah({"ask", "--host", ollama.host(), "--model", "sim"}, "[1,2,3], [a,b]\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto bodies = ollama.chat_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(user_content(bodies[0]), "[1,2,3], [a,b]");
}

TEST(AskCli, InvalidUtf8OnStdinIsSentAsReplacementCharactersAndSaidOnStderr) {
  RecordingOllama ollama;
  const auto run = run_yollayah({"ask", "--host", ollama.host(), "--model", "sim"}, "caf\xE9 ol\xE9 \xE2\x82\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "ok\n");
  EXPECT_EQ(run.err,
            "yollayah: the prompt is not valid UTF-8 (first bad byte at offset 3): 3 invalid sequences were sent as "
            "U+FFFD\n");
  const auto bodies = ollama.chat_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(user_content(bodies[0]), "caf\xEF\xBF\xBD ol\xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST(AskCli, InvalidUtf8InArgumentsIsSentAsReplacementCharactersAndSaidOnStderr) {
  RecordingOllama ollama;
  const auto run = run_yollayah({"ask", "--host", ollama.host(), "--model", "sim", "[\xFF]", "ok"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("not valid UTF-8 (first bad byte at offset 1): 1 invalid sequence was sent as U+FFFD"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(line_count(run.err), 1u) << run.err;
  const auto bodies = ollama.chat_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(user_content(bodies[0]), "[\xEF\xBF\xBD] ok");
}

TEST(AskCli, EmptyPromptWordIsNoPrompt) {
  const auto run = run_yollayah({"ask", "--host", "127.0.0.1:9", ""}, "ignored, as words were given\n");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no prompt"), std::string::npos) << run.err;
}

constexpr const char* kForms = "; use host, host:port, :port, [v6]:port or http(s)://host[:port][/path]\n";

struct HostCase {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string line;  // the whole of stderr
};

void PrintTo(const HostCase& c, std::ostream* os) {
  for (const auto& e : c.env) *os << e << " ";
  *os << "yollayah";
  for (const auto& a : c.args) *os << " " << printable(a);
}

class MalformedHost : public ::testing::TestWithParam<HostCase> {};

TEST_P(MalformedHost, IsExitTwoWithOneLineShowingTheAcceptedForms) {
  const auto& c = GetParam();
  const auto run = run_yollayah(c.args, "", c.env);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, c.line + kForms);
  EXPECT_EQ(run.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    AskCli, MalformedHost,
    ::testing::Values(
        HostCase{{"ask", "--host", "127.0.0.1:abc", "hi"}, {},
                 "yollayah: --host '127.0.0.1:abc': the port 'abc' is not a number"},
        HostCase{{"ask", "--host", ":99999", "hi"}, {}, "yollayah: --host ':99999': the port 99999 is not in 1-65535"},
        HostCase{{"ask", "--host=:", "hi"}, {}, "yollayah: --host ':': the port after ':' is missing"},
        HostCase{{"ask", "--connect=/nonexistent.sock", "--host", "h:x", "hi"}, {},
                 "yollayah: --host 'h:x': the port 'x' is not a number"},
        // The chat screen: the host is refused before the terminal is looked at.
        HostCase{{"--host", "127.0.0.1:abc"}, {}, "yollayah: --host '127.0.0.1:abc': the port 'abc' is not a number"},
        HostCase{{"ask", "hi"}, {"OLLAMA_HOST=127.0.0.1:abc"},
                 "yollayah: OLLAMA_HOST '127.0.0.1:abc': the port 'abc' is not a number"},
        HostCase{{"ask", "hi"}, {"OLLAMA_HOST=:"}, "yollayah: OLLAMA_HOST ':': the port after ':' is missing"},
        HostCase{{"ask", "hi"}, {"YOLLAYAH_OLLAMA_HOST=[::1"},
                 "yollayah: YOLLAYAH_OLLAMA_HOST '[::1': '[' has no closing ']'"},
        HostCase{{"ask", "hi"}, {"OLLAMA_HOST=localhost", "OLLAMA_PORT=99999"},
                 "yollayah: OLLAMA_HOST with OLLAMA_PORT 'localhost:99999': the port 99999 is not in 1-65535"}));

TEST(AskCli, HostFlagOverridesAMalformedOllamaHost) {
  RecordingOllama ollama;
  const auto run = run_yollayah({"ask", "--host", ollama.host(), "--model", "sim", "hi"}, "", {"OLLAMA_HOST=:abc"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ollama.chat_bodies().size(), 1u);
}

TEST(AskCli, WellFormedOllamaHostIsUsed) {
  RecordingOllama ollama;
  const auto run = run_yollayah({"ask", "--model", "sim", "hi"}, "", {"OLLAMA_HOST=http://" + ollama.host() + "/"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ollama.chat_bodies().size(), 1u);
}

// --no-history before `ask` (where the chat takes it) is private mode too: nothing on disk, and
// --continue has nothing to continue.
TEST(AskCli, NoHistoryBeforeAskKeepsNothingOnDiskAndRefusesContinue) {
  RecordingOllama ollama;
  TempDir data;
  const std::vector<std::string> env{"XDG_DATA_HOME=" + data.path()};
  const auto run = run_yollayah({"--no-history", "ask", "--host", ollama.host(), "--model", "sim", "hi"}, "", env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ollama.chat_bodies().size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(data.file("ai-way/history.db")));

  const auto again =
      run_yollayah({"--no-history", "ask", "--continue", "--host", ollama.host(), "--model", "sim", "hi"}, "", env);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--continue needs the history, which is off"), std::string::npos) << again.err;
  EXPECT_FALSE(std::filesystem::exists(data.file("ai-way/history.db")));
}

// The chat's --host and --model given before `ask` are ask's too: they were silently ignored, and
// ask went to the default address with the default model.
TEST(AskCli, HostAndModelBeforeAskAreUsedByAsk) {
  RecordingOllama ollama;
  TempDir data;
  const auto run = run_yollayah({"--host", ollama.host(), "--model", "before-ask", "--no-history", "ask", "hi"}, "",
                                {"XDG_DATA_HOME=" + data.path()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(ollama.chat_bodies().size(), 1u);
  EXPECT_NE(ollama.chat_bodies()[0].find(R"("model":"before-ask")"), std::string::npos) << ollama.chat_bodies()[0];
}

// Private mode reads a history stored earlier but never creates one: `history list` with
// YOLLAYAH_NO_HISTORY=1 on a machine that never stored anything leaves no file behind.
TEST(AskCli, HistoryCommandsInPrivateModeCreateNoFileButReadAnExistingOne) {
  RecordingOllama ollama;
  TempDir data;
  const std::vector<std::string> off{"XDG_DATA_HOME=" + data.path(), "YOLLAYAH_NO_HISTORY=1"};
  const auto list = run_yollayah({"history", "list", "--json"}, "", off);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "[]\n");
  EXPECT_NE(list.err.find("the history is off"), std::string::npos) << list.err;
  const auto show = run_yollayah({"history", "show", "last"}, "", off);
  EXPECT_EQ(show.exit_code, 2) << show.err;
  EXPECT_FALSE(std::filesystem::exists(data.file("ai-way/history.db")));

  const auto stored = run_yollayah({"ask", "--host", ollama.host(), "--model", "sim", "remember me"}, "",
                                   {"XDG_DATA_HOME=" + data.path()});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  const auto again = run_yollayah({"history", "list", "--json"}, "", off);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("remember me"), std::string::npos) << again.out;
}

// An answer that holds escape sequences (a title change, the bell) is shown on a terminal, not
// obeyed; a pipe gets the model's bytes unchanged.
TEST(AskCli, OnATerminalAModelsEscapeSequencesAreShownNotObeyedAndAPipeGetsThemAsTheyAre) {
  SimProcess sim({"--script", write_temp_file("Hi \x1b]0;pwned\x07 there\n")});
  TempDir data;
  PtyChild tty({std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--no-history", "--host", sim.url(), "--model",
                "sim", "hi"},
               {"XDG_DATA_HOME=" + data.path(), "XDG_CONFIG_HOME=" + data.path()}, 80, 24);
  ASSERT_TRUE(tty.wait_for("there", std::chrono::seconds(10))) << tty.seen();
  EXPECT_EQ(tty.wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_NE(tty.seen().find("Hi \u241B]0;pwned\u2407 there"), std::string::npos) << tty.seen();
  EXPECT_EQ(tty.seen().find('\x1b'), std::string::npos) << tty.seen();

  const auto piped = run_yollayah({"ask", "--no-history", "--host", sim.url(), "--model", "sim", "hi"});
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.out.find("Hi \x1b]0;pwned\x07 there"), std::string::npos) << piped.out;
}

// Issue 15, finding 3: a model server that accepts connections and never answers.
TEST(AskCli, AServerThatAcceptsAndNeverAnswersFailsAtItsProbeWithAClearLine) {
  SimProcess hung({"--hang"});
  TempDir config;
  std::filesystem::create_directories(config.file("ai-way"));
  std::ofstream(config.file("ai-way/conductor.toml"))
      << "[[backend]]\nname = \"stuck\"\nurl = \"" << hung.url() << "\"\nprobe_timeout_ms = 300\n";
  const auto run = run_yollayah({"ask", "--model", "sim", "hi"}, "", {"XDG_CONFIG_HOME=" + config.path()});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("stuck"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("0.3 s"), std::string::npos) << run.err;  // names the deadline that applied
}

TEST(AskCli, OneCtrlCStopsAnAnswerThatIsStillWaitingForTheServer) {
  SimProcess hung({"--hang"});
  TempDir dir;
  const std::string bin = std::string(YOLLAYAH_BIN_DIR) + "/yollayah";
  const std::string host = hung.url();
  std::vector<std::string> argv_s{bin, "ask", "--no-history", "--host", host, "--model", "sim", "hi"};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  ::usleep(500000);  // it has sent the question and waits on the server's probe (5 s)
  ::kill(pid, SIGINT);
  int status = 0;
  bool done = false;
  // Well inside the 5 s the probe would take: the first Ctrl+C ends the wait, not the timeout.
  for (int i = 0; i < 300 && !(done = ::waitpid(pid, &status, WNOHANG) == pid); ++i) ::usleep(10000);
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(done) << "the first Ctrl+C did not stop yollayah ask";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
}

}  // namespace
}  // namespace yollayah::test
