#include "gateway/sse.h"

namespace airlock::gateway {
namespace {

// The end of the event whose scan stands at `*i` with its current line starting at `*line_start`
// (just past its blank line), or npos with `*i` and `*line_start` left where the scan stopped, so
// the next call goes on from there instead of from the event's start: bytes that arrive one at a
// time cost linear, not quadratic, work (a 256 KiB event fed byte by byte once took 20 s).
std::size_t event_end(const std::string& s, std::size_t* i, std::size_t* line_start, bool at_end) {
  while (*i < s.size()) {
    char c = s[*i];
    std::size_t term = 0;
    if (c == '\r') {
      if (*i + 1 == s.size() && !at_end) return std::string::npos;  // a LF may still follow: look again
      term = *i + 1 < s.size() && s[*i + 1] == '\n' ? 2 : 1;
    } else if (c == '\n') {
      term = 1;
    } else {
      ++*i;
      continue;
    }
    if (*i == *line_start) return *i + term;  // an empty line ends the event
    *i += term;
    *line_start = *i;
  }
  return std::string::npos;
}

// The next CR or LF at or after `pos` (a plain loop: find_first_of calls memchr once per byte).
std::size_t line_end(std::string_view s, std::size_t pos) {
  while (pos < s.size() && s[pos] != '\n' && s[pos] != '\r') ++pos;
  return pos;
}

void parse_fields(std::string_view raw, SseEvent& ev) {
  std::size_t pos = 0;
  bool first_data = true;
  while (pos < raw.size()) {
    auto eol = line_end(raw, pos);
    auto line = raw.substr(pos, eol - pos);
    pos = eol + ((eol + 1 < raw.size() && raw[eol] == '\r' && raw[eol + 1] == '\n') ? 2 : 1);
    if (line.empty() || line.front() == ':') continue;
    auto colon = line.find(':');
    auto name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "event") ev.event = std::string(value);
    else if (name == "data") {
      if (!first_data) ev.data.push_back('\n');
      ev.data.append(value);
      first_data = false;
    }
  }
}

}  // namespace

bool SseSplitter::feed(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event) {
  buf_.append(bytes);
  drain(on_event, false);
  return buf_.size() <= max_;
}

void SseSplitter::finish(const std::function<void(const SseEvent&)>& on_event) { drain(on_event, true); }

void SseSplitter::drain(const std::function<void(const SseEvent&)>& on_event, bool at_end) {
  std::size_t start = 0;
  for (;;) {
    auto end = event_end(buf_, &scan_, &line_start_, at_end);
    if (end == std::string::npos) break;
    // One event object reused: its strings keep their capacity, so steady streams allocate nothing here.
    SseEvent& ev = scratch_;
    ev.event.clear();
    ev.data.clear();
    ev.raw = std::string_view(buf_).substr(start, end - start);
    parse_fields(ev.raw, ev);
    on_event(ev);
    start = scan_ = line_start_ = end;
  }
  buf_.erase(0, start);
  scan_ -= start;
  line_start_ -= start;
}

}  // namespace airlock::gateway
