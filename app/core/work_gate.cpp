#include "core/work_gate.h"

namespace airlock::core {
namespace {
// The gate this thread holds a slot of: one gate at a time per thread (there is one: argon2id).
thread_local const WorkGate* t_held = nullptr;
}  // namespace

WorkGate::Ticket& WorkGate::Ticket::operator=(Ticket&& o) noexcept {
  if (this != &o) {
    release();
    gate_ = o.gate_;
    nested_ = o.nested_;
    o.gate_ = nullptr;
    o.nested_ = false;
  }
  return *this;
}

void WorkGate::Ticket::release() {
  if (!gate_) return;
  {
    std::lock_guard lock(gate_->mu_);
    --gate_->in_use_;
  }
  gate_->cv_.notify_one();
  if (t_held == gate_) t_held = nullptr;
  gate_ = nullptr;
}

WorkGate::Ticket WorkGate::grant_locked() {
  ++in_use_;
  Ticket t;
  t.gate_ = this;
  t_held = this;
  return t;
}

WorkGate::Ticket WorkGate::try_enter(std::chrono::milliseconds wait) {
  if (t_held == this) {
    Ticket nested;
    nested.nested_ = true;
    return nested;
  }
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, wait, [&] { return in_use_ < slots_; })) return {};
  return grant_locked();
}

WorkGate::Ticket WorkGate::enter() {
  if (t_held == this) {
    Ticket nested;
    nested.nested_ = true;
    return nested;
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return in_use_ < slots_; });
  return grant_locked();
}

void WorkGate::set_slots(int slots) {
  {
    std::lock_guard lock(mu_);
    slots_ = slots < 1 ? 1 : slots;
  }
  cv_.notify_all();
}

int WorkGate::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

}  // namespace airlock::core
