#pragma once
// A counting gate for work that costs a lot of memory or CPU per call (argon2id: 64 MiB each):
// at most `slots` run at once over the whole process, whoever asks. Without it ~13 addresses ×
// 10 parallel sign-ins asked for ~8 GiB.
//
// A route that does such work takes a Ticket before its handler runs, waiting a short while and
// answering 503 with Retry-After when none comes free. The work itself calls enter() too: on a
// thread that already holds a ticket that costs nothing; anywhere else it waits for a slot, so
// nothing (a CLI command, a route nobody declared costly) can run past the cap.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace airlock::core {

class WorkGate {
 public:
  explicit WorkGate(int slots) : slots_(slots < 1 ? 1 : slots) {}
  WorkGate(const WorkGate&) = delete;
  WorkGate& operator=(const WorkGate&) = delete;

  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& o) noexcept : gate_(o.gate_), nested_(o.nested_) {
      o.gate_ = nullptr;
      o.nested_ = false;
    }
    Ticket& operator=(Ticket&& o) noexcept;
    ~Ticket() { release(); }
    explicit operator bool() const { return gate_ != nullptr || nested_; }

   private:
    friend class WorkGate;
    void release();
    WorkGate* gate_ = nullptr;  // set when this ticket holds a slot
    bool nested_ = false;       // the thread already held one: this ticket holds nothing
  };

  // A slot within `wait`, or an empty ticket. Free (and always granted) on a thread that holds one.
  Ticket try_enter(std::chrono::milliseconds wait);
  // A slot, however long it takes. Free on a thread that holds one.
  Ticket enter();

  void set_slots(int slots);
  int in_use() const;

 private:
  Ticket grant_locked();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int slots_;
  int in_use_ = 0;
};

}  // namespace airlock::core
