// The external editor without a terminal: a scripted editor edits the temp file, the result comes
// back through the asynchronous wait, failures are values with a reason, and the file is removed.
#include "tui/app/external_editor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using yollayah::tui::app::EditorResult;
using yollayah::tui::app::ExternalEditor;

struct ExternalEditorTest : ::testing::Test {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("yollayah-editor-test-" + std::to_string(::getpid()));
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);

  void SetUp() override {
    std::filesystem::create_directories(dir);
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("TMPDIR");
    ::close(null_fd);
    std::filesystem::remove_all(dir);
  }

  std::string script(const std::string& name, const std::string& body) {
    const auto path = dir / name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path.string();
  }

  // Runs the edit on a loop, with a timer on the same loop that must keep ticking meanwhile.
  EditorResult edit(const std::string& text, const std::string& command, int* ticks = nullptr) {
    asio::io_context io;
    ExternalEditor editor(io.get_executor());
    auto result = asio::co_spawn(io, editor.edit(text, command, null_fd, null_fd), asio::use_future);
    asio::steady_timer tick(io);
    int count = 0;
    std::function<void()> arm = [&] {
      tick.expires_after(std::chrono::milliseconds(5));
      tick.async_wait([&](boost::system::error_code ec) {
        if (ec || result.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return;
        ++count;
        arm();
      });
    };
    arm();
    io.run_for(std::chrono::seconds(20));
    if (ticks) *ticks = count;
    return result.get();
  }

  std::size_t files_left() const {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.path().filename().string().starts_with("yollayah-message-");
    return n;
  }
};

TEST_F(ExternalEditorTest, TheScriptedEditorsChangeComesBackWithoutTheFinalNewline) {
  int ticks = 0;
  const auto editor = script("append.sh", "sleep 0.2; echo 'a second line' >> \"$1\"");
  const auto result = edit("first line", editor, &ticks);
  ASSERT_TRUE(result.text) << result.problem;
  EXPECT_EQ(*result.text, "first line\na second line");
  EXPECT_TRUE(result.problem.empty());
  EXPECT_GT(ticks, 5);  // the loop kept running while the editor did
  EXPECT_EQ(files_left(), 0u);
}

TEST_F(ExternalEditorTest, TheTempFileIsPrivateAndAMarkdownFile) {
  const auto editor = script("mode.sh", "stat -c %a \"$1\" > \"$1\"; case \"$1\" in *.md) echo md >> \"$1\";; esac");
  const auto result = edit("x", editor);
  ASSERT_TRUE(result.text) << result.problem;
  EXPECT_EQ(*result.text, "600\nmd");
}

TEST_F(ExternalEditorTest, AnEditorThatFailsLeavesNoTextAndSaysWhy) {
  const auto result = edit("keep", "false");
  EXPECT_FALSE(result.text);
  EXPECT_NE(result.problem.find("status 1"), std::string::npos) << result.problem;
  EXPECT_EQ(files_left(), 0u);
}

TEST_F(ExternalEditorTest, AMissingEditorSaysToSetVisualOrEditor) {
  const auto result = edit("keep", "/nonexistent/editor-binary");
  EXPECT_FALSE(result.text);
  EXPECT_NE(result.problem.find("$EDITOR"), std::string::npos) << result.problem;
}

TEST(EditorCommand, VisualThenEditorThenVi) {
  ::setenv("VISUAL", "nano -w", 1);
  ::setenv("EDITOR", "ed", 1);
  EXPECT_EQ(yollayah::tui::app::editor_command(), "nano -w");
  ::setenv("VISUAL", " ", 1);
  EXPECT_EQ(yollayah::tui::app::editor_command(), "ed");
  ::unsetenv("VISUAL");
  ::unsetenv("EDITOR");
  EXPECT_EQ(yollayah::tui::app::editor_command(), "vi");
}

}  // namespace
