// Runs $VISUAL / $EDITOR on the message being typed: a private temp file, the editor as a child
// with the terminal as its stdin/stdout/stderr (in its own foreground process group, so Ctrl+C
// reaches only it), an asynchronous wait for it (a pidfd on the loop), and the file read back.
// The terminal modes around it are the caller's (app.cpp leaves raw mode and the alternate screen).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <optional>
#include <string>

namespace yollayah::tui::app {

struct EditorResult {
  std::optional<std::string> text;  // the edited message; nullopt when the editor did not succeed
  std::string problem;              // why not, for a toast ("" on success)
};

// $VISUAL, else $EDITOR, else vi (the shell splits it, so "code --wait" works).
std::string editor_command();

class ExternalEditor {
 public:
  explicit ExternalEditor(boost::asio::any_io_executor executor);
  ~ExternalEditor();
  ExternalEditor(const ExternalEditor&) = delete;
  ExternalEditor& operator=(const ExternalEditor&) = delete;

  // Edits `text` with `command` on the terminal in_fd/out_fd. The file is written and read on a
  // helper thread and the child is waited for through a pidfd: the loop never blocks. A trailing
  // newline the editor added is dropped.
  boost::asio::awaitable<EditorResult> edit(std::string text, std::string command, int in_fd, int out_fd);

  // Asks a running editor to stop (SIGTERM): the TUI is closing under it. edit() then returns.
  void terminate();

 private:
  int child_ = -1;  // the editor's pid while it runs
  boost::asio::any_io_executor executor_;
  std::unique_ptr<boost::asio::thread_pool> files_;  // one thread, made on first use
};

}  // namespace yollayah::tui::app
