#include "store/write_ops.hpp"

#include <algorithm>

namespace yollayah::store {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

bool durable(const WriteOp& op) { return !std::holds_alternative<CheckpointOp>(op); }

sql::Error apply_write(Database& db, const WriteOp& op) {
  return std::visit(Overloaded{
                        [&](const NewConversation& c) { return db.create_conversation(c); },
                        [&](const NewMessage& m) { return db.add_message(m); },
                        [&](const CheckpointOp& c) { return db.checkpoint(c.id, c.text, c.append); },
                        [&](const FinishOp& f) {
                          return db.finish_answer(f.id, f.text, f.meta, f.finished_ms, f.append);
                        },
                        [&](const TitleOp& t) { return db.set_title(t.id, t.title); },
                        [&](const TaskRecord& t) { return db.record_task(t); },
                    },
                    op);
}

namespace {

// Folds `earlier` (a checkpoint of the same answer, waiting) into `text`: what comes after it.
void fold(CheckpointOp& earlier, std::string& text, bool& append) {
  if (!append) return;  // a whole text: the earlier one is contained in it
  earlier.text.append(text);
  text = std::move(earlier.text);
  append = earlier.append;
}

}  // namespace

void add_to_backlog(std::vector<WriteOp>& backlog, WriteOp op) {
  const MessageId* answer = nullptr;
  std::string* text = nullptr;
  bool* append = nullptr;
  if (auto* c = std::get_if<CheckpointOp>(&op)) answer = &c->id, text = &c->text, append = &c->append;
  if (auto* f = std::get_if<FinishOp>(&op)) answer = &f->id, text = &f->text, append = &f->append;
  if (answer) {
    // At most one waits per answer: each one that came was folded into the next.
    const auto it = std::find_if(backlog.begin(), backlog.end(), [answer](const WriteOp& old) {
      const auto* c = std::get_if<CheckpointOp>(&old);
      return c && c->id == *answer;
    });
    if (it != backlog.end()) {
      fold(std::get<CheckpointOp>(*it), *text, *append);
      backlog.erase(it);
    }
  }
  backlog.push_back(std::move(op));
}

}  // namespace yollayah::store
