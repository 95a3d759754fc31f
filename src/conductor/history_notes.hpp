// The text of the history commands' answers (/history, /search, /open, /delete, /export): system
// notes built from the store's records, in plain text (every surface shows notes as they are;
// search matches are marked «so»). Plain functions, so they are tested without a store.
#pragma once

#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::conductor {

// What every history command says when history is off, naming `command` and how to turn it on.
std::string history_off_note(std::string_view command);

// The numbered list of /history: title, date, model, message count and first line; `current` is
// marked.
std::string history_list_note(const std::vector<store::ConversationSummary>& list,
                              const std::optional<store::ConversationId>& current);

// /search's matches, each with its context and the command that opens its conversation.
std::string search_note(std::string_view text, const std::vector<store::SearchHit>& hits);

// /open's answer once the conversation is shown.
std::string opened_note(const store::Conversation& conversation);

// /delete's question: what would go, and the command that confirms it.
std::string delete_question(const store::Conversation& conversation, std::string_view typed, bool in_use);

// Where /export writes when no file is given: `dir`/<title>-<date>.md, the title made safe for a
// file name.
std::string default_export_path(const std::string& dir, std::string_view title, std::uint64_t now_ms);

// A file name as typed, made absolute: "~/" is $HOME, a relative name is under `cwd`.
std::string export_path(std::string_view typed, const std::string& cwd);

}  // namespace yollayah::conductor
