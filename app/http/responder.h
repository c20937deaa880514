#pragma once
// How a handler that runs on the event loop answers: at once, later, or piece by piece (an SSE
// relay fed by an upstream socket on the same loop). Every call is made on the loop thread that
// delivered the request; nothing here blocks. The request's views stay valid until the response
// has ended or the client has gone.
#include <functional>
#include <string_view>

#include "http/message.h"

namespace airlock::net {
class EventLoop;
}

namespace airlock::http {

class Responder {
 public:
  virtual ~Responder() = default;
  // A whole response. Once only, and not after start_stream().
  virtual void send(Response r) = 0;
  // Status and headers now (the body is chunked); then write() pieces and end().
  virtual void start_stream(Response head) = 0;
  // Queues one piece. False when the client is gone or is behind (too much queued): stop
  // producing until on_drain is called.
  virtual bool write(std::string_view piece) = 0;
  virtual void end() = 0;
  virtual bool gone() const = 0;
  // on_gone: the client went away (or the connection was cut) before the response ended.
  // on_drain: what write() queued has gone out; producing may resume.
  virtual void set_callbacks(std::function<void()> on_gone, std::function<void()> on_drain) = 0;
  virtual net::EventLoop& loop() = 0;
};

}  // namespace airlock::http
