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
                        [&](const CheckpointOp& c) { return db.checkpoint(c.id, c.text); },
                        [&](const FinishOp& f) { return db.finish_answer(f.id, f.text, f.meta, f.finished_ms); },
                        [&](const TitleOp& t) { return db.set_title(t.id, t.title); },
                        [&](const TaskRecord& t) { return db.record_task(t); },
                    },
                    op);
}

void add_to_backlog(std::vector<WriteOp>& backlog, WriteOp op) {
  const MessageId* answer = nullptr;
  if (const auto* c = std::get_if<CheckpointOp>(&op)) answer = &c->id;
  if (const auto* f = std::get_if<FinishOp>(&op)) answer = &f->id;
  if (answer) {
    std::erase_if(backlog, [answer](const WriteOp& old) {
      const auto* c = std::get_if<CheckpointOp>(&old);
      return c && c->id == *answer;
    });
  }
  backlog.push_back(std::move(op));
}

}  // namespace yollayah::store
