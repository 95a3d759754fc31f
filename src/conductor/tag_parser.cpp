#include "conductor/tag_parser.hpp"

#include "conductor/tag_grammar.hpp"

#include <algorithm>

namespace yollayah::conductor {

TagParser::TagParser(std::shared_ptr<const Agents> agents) : agents_(agents ? std::move(agents) : Agents::builtin()) {
  held_.reserve(kMaxTagBytes);
}

void TagParser::reset() {
  held_.clear();
  commands_ = 0;
  over_limit_ = 0;
  over_limit_starts_ = 0;
}

void TagParser::release(std::string& clean_out) {
  clean_out.append(held_);
  held_.clear();
}

void TagParser::feed_slow(std::string_view chunk, std::string& clean_out, std::vector<TagCommand>& commands_out) {
  constexpr std::string_view kEndsBody = "[]\n";
  while (!chunk.empty()) {
    if (held_.empty()) {
      // Plain text up to the next '[', which may start a tag.
      const auto open = chunk.find('[');
      if (open == std::string_view::npos) {
        clean_out.append(chunk);
        return;
      }
      clean_out.append(chunk.substr(0, open));
      held_.push_back('[');
      chunk.remove_prefix(open + 1);
      continue;
    }

    if (held_.size() < kPrefix.size()) {
      // Inside the prefix: one byte decides whether this can still be a tag.
      if (chunk.front() == kPrefix[held_.size()]) {
        held_.push_back(chunk.front());
        chunk.remove_prefix(1);
      } else {
        release(clean_out);  // only its first byte is '[', so nothing in it can start a tag
      }
      continue;
    }

    // Inside the body: look for its end within what the size limit still allows.
    const auto budget = kMaxTagBytes - held_.size();  // bytes still allowed, the ']' included
    const auto window = chunk.substr(0, std::min(budget, chunk.size()));
    const auto end = window.find_first_of(kEndsBody);
    if (end == std::string_view::npos) {
      held_.append(window);
      chunk.remove_prefix(window.size());
      if (window.size() == budget) release(clean_out);  // kMaxTagBytes without ']': not a tag
      continue;
    }
    held_.append(window.substr(0, end));
    if (window[end] == ']') {
      chunk.remove_prefix(end + 1);
      complete_tag(commands_out);
    } else {
      chunk.remove_prefix(end);  // the '[' or newline is looked at again as plain text
      release(clean_out);
    }
  }
}

void TagParser::complete_tag(std::vector<TagCommand>& commands_out) {
  const std::string_view body = std::string_view(held_).substr(kPrefix.size());
  auto parsed = parse_tag_body(body, *agents_);
  switch (parsed.status) {
    case TagParse::Status::Command:
      if (commands_ < kMaxCommands) {
        ++commands_;
        commands_out.push_back(std::move(parsed.command));
      } else {
        ++over_limit_;
        if (std::holds_alternative<tag::TaskStart>(parsed.command)) ++over_limit_starts_;
        rejections_.add(held_ + "] ignored: more than " + std::to_string(kMaxCommands) + " commands in one response");
      }
      break;
    case TagParse::Status::Rejected: rejections_.add(held_ + "] " + parsed.reason); break;
    case TagParse::Status::Unknown: ++unknown_; break;
  }
  held_.clear();
}

void TagParser::finish(std::string& clean_out, std::vector<TagCommand>& /*commands_out*/) {
  if (held_.size() >= kPrefix.size()) {
    rejections_.add(held_ + " dropped: the response ended inside the tag");
    held_.clear();
  } else {
    release(clean_out);
  }
}

}  // namespace yollayah::conductor
