#pragma once
// What the SSE relay reads from each upstream event: the usage it reports (OpenAI's usage chunk,
// Anthropic's message_start and message_delta), the dialect's end marker, and whether the event
// goes on to the client (our usage-only chunk does not, when the client never asked for it).
// Only events that can carry usage are parsed; an event too deep or too wide to read safely marks
// the stream broken rather than being passed on unread. Kept apart from the relay's I/O so the
// fuzz target (tests/fuzz/relay.cpp) reads hostile streams exactly as the gateway does.
#include "gateway/dialect.h"
#include "gateway/sse.h"

namespace airlock::gateway {

struct StreamUsage {
  Dialect dialect = Dialect::kOpenAI;
  bool strip_usage_chunk = false;  // Airlock asked for stream usage; the client did not
  // A Responses API stream: typed events, the usage in the final response (response.completed,
  // .incomplete or .failed), which also end it, as an error event does.
  bool responses = false;
  Usage usage;                     // non-negative, each count at most 3 × 2^31 (usage_count())
  bool done = false;               // the upstream's own end marker was seen
  bool broken = false;             // an event that must be read could not be: end the stream

  // Reads one event; true when it is to be forwarded. Never throws on what an upstream sends.
  bool read(const SseEvent& ev);
};

}  // namespace airlock::gateway
