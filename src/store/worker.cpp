#include "store/worker.hpp"

#include <pthread.h>

namespace yollayah::store {

Worker::Worker(std::string name, std::function<void()> on_alarm)
    : on_alarm_(std::move(on_alarm)), thread_([this] { loop(); }) {
  ::pthread_setname_np(thread_.native_handle(), name.substr(0, 15).c_str());  // shows in top -H, gdb
}

Worker::~Worker() { stop(); }

void Worker::push(std::unique_ptr<Task> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void Worker::arm(Clock::time_point when) {
  {
    std::lock_guard lock(mutex_);
    if (alarm_ && *alarm_ <= when) return;
    alarm_ = when;
  }
  wake_.notify_one();
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Worker::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task->run();
      task.reset();  // its captures (a reply handler, a work guard) go before the next task
      lock.lock();
      continue;
    }
    if (stopping_) return;  // queued tasks ran first; a pending alarm is dropped
    if (alarm_ && *alarm_ <= Clock::now()) {
      alarm_.reset();
      lock.unlock();
      if (on_alarm_) on_alarm_();
      lock.lock();
      continue;
    }
    if (alarm_) wake_.wait_until(lock, *alarm_);
    else wake_.wait(lock);
  }
}

}  // namespace yollayah::store
