#include "core/work_gate.h"

#include <catch2/catch_test_macros.hpp>
#include <future>
#include <thread>

using namespace airlock::core;
using namespace std::chrono_literals;

TEST_CASE("a work gate lets `slots` through at once; the rest wait or are turned away", "[core][gate]") {
  WorkGate gate(2);
  std::promise<void> hold_a, hold_b;
  std::promise<void> in_a, in_b;
  auto worker = [&](std::promise<void>& in, std::promise<void>& hold) {
    return std::thread([&gate, &in, f = hold.get_future()]() mutable {
      auto t = gate.enter();
      in.set_value();
      f.wait();
    });
  };
  auto a = worker(in_a, hold_a);
  auto b = worker(in_b, hold_b);
  in_a.get_future().wait();
  in_b.get_future().wait();
  CHECK(gate.in_use() == 2);
  CHECK_FALSE(gate.try_enter(0ms));  // full: turned away at once

  // A waiter gets in as soon as a slot comes free.
  auto waiter = std::async(std::launch::async, [&] { return static_cast<bool>(gate.try_enter(60s)); });
  hold_a.set_value();
  CHECK(waiter.get());
  hold_b.set_value();
  a.join();
  b.join();
  CHECK(gate.in_use() == 0);
}

TEST_CASE("a thread that holds a slot enters again for free", "[core][gate]") {
  WorkGate gate(1);
  auto outer = gate.try_enter(0ms);
  REQUIRE(outer);
  auto inner = gate.enter();  // the route's slot covers the argon2 run inside it: no self-deadlock
  CHECK(inner);
  CHECK(gate.in_use() == 1);
  // Another thread does not share it.
  CHECK_FALSE(std::async(std::launch::async, [&] { return static_cast<bool>(gate.try_enter(0ms)); }).get());
  outer = WorkGate::Ticket();
  CHECK(gate.in_use() == 0);
  CHECK(std::async(std::launch::async, [&] { return static_cast<bool>(gate.try_enter(0ms)); }).get());
}
