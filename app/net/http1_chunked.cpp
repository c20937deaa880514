// The chunked body decoder (rules K1-K6 in http1.h).
#include "net/http1.h"

#include "net/http1_chars.h"

namespace airlock::net::http1 {

using namespace detail;

ChunkedDecoder::Step ChunkedDecoder::fail(Error e, std::size_t consumed) {
  state_ = State::failed;
  err_ = e;
  return {Step::error, consumed, e};
}

ChunkedDecoder::Step ChunkedDecoder::feed(std::string_view in, std::string& out) {
  if (state_ == State::done) return {Step::done, 0, {}};
  if (state_ == State::failed) return {Step::error, 0, err_};

  std::size_t i = 0;
  while (i < in.size()) {
    if (state_ == State::data) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(size_, in.size() - i));
      out.append(in.data() + i, take);
      i += take;
      size_ -= take;
      if (size_ == 0) state_ = State::data_cr;
      continue;
    }

    const char ch = in[i++];
    if (++framing_ > kFramingAllowance + total_) return fail(bad("chunk framing larger than the data it carries"), i);
    if (state_ < State::size_lf && ch != '\r' && ++line_bytes_ > kMaxSizeLine)
      return fail(bad("chunk size line over 256 bytes"), i);
    if (state_ >= State::trailer_start && ++trailer_bytes_ > kMaxTrailerBytes) return fail(kTrailerTooLarge, i);

    switch (state_) {
      case State::size:
        if (is(ch, kHex)) {
          if (++digits_ > kMaxSizeDigits) return fail(bad("chunk size over 16 hex digits"), i);
          const int d = ch <= '9' ? ch - '0' : lower(ch) - 'a' + 10;
          size_ = size_ * 16 + static_cast<std::uint64_t>(d);
          // The size only grows with more digits, so an oversized chunk is refused before its end.
          if (size_ > max_total_ - total_) return fail(kBodyTooLarge, i);
        } else if (digits_ == 0) {
          return fail(bad("chunk size is not hex"), i);
        } else if (ch == ';') {
          state_ = State::ext_name_start;
        } else if (ch == '\r') {
          state_ = State::size_lf;
        } else {
          return fail(bad("chunk size followed by other than ';' or CRLF"), i);
        }
        break;
      case State::ext_name_start:
        if (!is(ch, kTchar)) return fail(bad("chunk extension name is not a token"), i);
        state_ = State::ext_name;
        break;
      case State::ext_name:
      case State::ext_token:
        if (is(ch, kTchar)) break;
        if (ch == '=' && state_ == State::ext_name) {
          state_ = State::ext_value_start;
        } else if (ch == ';') {
          state_ = State::ext_name_start;
        } else if (ch == '\r') {
          state_ = State::size_lf;
        } else {
          return fail(bad("malformed chunk extension"), i);
        }
        break;
      case State::ext_value_start:
        if (ch == '"') {
          state_ = State::ext_quoted;
        } else if (is(ch, kTchar)) {
          state_ = State::ext_token;
        } else {
          return fail(bad("chunk extension value is not a token or quoted-string"), i);
        }
        break;
      case State::ext_quoted:
        if (ch == '"') {
          state_ = State::ext_after_quoted;
        } else if (ch == '\\') {
          state_ = State::ext_quoted_pair;
        } else if (!is(ch, kFieldByte)) {
          return fail(bad("control byte in a chunk extension"), i);
        }
        break;
      case State::ext_quoted_pair:
        if (!is(ch, kFieldByte)) return fail(bad("control byte in a chunk extension"), i);
        state_ = State::ext_quoted;
        break;
      case State::ext_after_quoted:
        if (ch == ';') {
          state_ = State::ext_name_start;
        } else if (ch == '\r') {
          state_ = State::size_lf;
        } else {
          return fail(bad("malformed chunk extension"), i);
        }
        break;
      case State::size_lf:
        if (ch != '\n') return fail(bad("chunk size line does not end in CRLF"), i);
        if (size_ == 0) {
          state_ = State::trailer_start;
        } else {
          total_ += size_;
          state_ = State::data;
        }
        break;
      case State::data_cr:
        if (ch != '\r') return fail(bad("chunk data not followed by CRLF"), i);
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (ch != '\n') return fail(bad("chunk data not followed by CRLF"), i);
        state_ = State::size;
        digits_ = 0;
        line_bytes_ = 0;
        break;
      case State::trailer_start:
        if (ch == '\r') {
          state_ = State::final_lf;
        } else if (is(ch, kTchar)) {
          state_ = State::trailer_name;
        } else {
          return fail(bad("trailer line is not a field line"), i);
        }
        break;
      case State::trailer_name:
        if (ch == ':') {
          state_ = State::trailer_value;
        } else if (!is(ch, kTchar)) {
          return fail(bad("trailer field name is not a token followed by ':'"), i);
        }
        break;
      case State::trailer_value:
        if (ch == '\r') {
          state_ = State::trailer_lf;
        } else if (!is(ch, kFieldByte)) {
          return fail(bad("control byte or bare LF in a trailer field"), i);
        }
        break;
      case State::trailer_lf:
        if (ch != '\n') return fail(bad("bare CR in a trailer field"), i);
        state_ = State::trailer_start;
        break;
      case State::final_lf:
        if (ch != '\n') return fail(bad("bare CR after the trailer section"), i);
        state_ = State::done;
        return {Step::done, i, {}};
      case State::data:
      case State::done:
      case State::failed:
        break;  // handled before the switch
    }
  }
  return {Step::need_more, in.size(), {}};
}

}  // namespace airlock::net::http1
