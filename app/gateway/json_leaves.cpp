#include "gateway/json_leaves.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace airlock::gateway {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The length of the UTF-8 sequence at s[i] (RFC 3629: no overlong forms, surrogates or values past
// U+10FFFF), or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;
    if (c == 0xED && b(1) > 0x9F) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

// JSON's number grammar, exactly.
bool number(std::string_view t) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  if (i != t.size()) return false;
  // A float too large for a double is refused by the strict parser (nlohmann's lexer); so here.
  if (t.find_first_of(".eE") != std::string_view::npos) {
    std::string copy(t);
    if (std::isinf(std::strtod(copy.c_str(), nullptr))) return false;
  }
  return true;
}

}  // namespace

void JsonLeaves::ws() {
  while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\n' || in_[at_] == '\r')) ++at_;
}

// A string at in_[at_] == '"'. `decode` false: a key, which must hold no escape (see the header).
bool JsonLeaves::string(std::string& out, bool decode) {
  out.clear();
  ++at_;
  while (at_ < in_.size()) {
    // Plain bytes up to the next quote or backslash, in one piece.
    std::size_t run = at_;
    while (run < in_.size()) {
      auto u = static_cast<unsigned char>(in_[run]);
      if (u == '"' || u == '\\' || u < 0x20) break;
      if (u < 0x80) {
        ++run;
        continue;
      }
      std::size_t n = utf8_length(in_, run);
      if (n == 0) return false;
      run += n;
    }
    out.append(in_.substr(at_, run - at_));
    at_ = run;
    if (at_ >= in_.size()) return false;
    char c = in_[at_];
    if (c == '"') {
      ++at_;
      return true;
    }
    if (c != '\\' || !decode) return false;  // a control character, or an escape in a key
    if (++at_ >= in_.size()) return false;
    switch (in_[at_++]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto four = [&](std::uint32_t& v) {
          if (at_ + 4 > in_.size()) return false;
          v = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hex(in_[at_++]);
            if (h < 0) return false;
            v = v * 16 + static_cast<std::uint32_t>(h);
          }
          return true;
        };
        std::uint32_t cp = 0;
        if (!four(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low half
          if (at_ + 2 > in_.size() || in_[at_] != '\\' || in_[at_ + 1] != 'u') return false;
          at_ += 2;
          std::uint32_t lo = 0;
          if (!four(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return false;
}

bool JsonLeaves::value(const OnLeaf& on_leaf) {
  ws();
  if (at_ >= in_.size()) return false;
  char c = in_[at_];
  if (c == '{' || c == '[') {
    if (path_.size() >= kMaxDepth) return false;
    bool object = c == '{';
    char close = object ? '}' : ']';
    ++at_;
    ws();
    if (at_ < in_.size() && in_[at_] == close) {
      ++at_;
      return true;
    }
    std::int64_t n = 0;
    if (object) {
      if (keys_.size() <= path_.size()) keys_.resize(path_.size() + 1);
      keys_[path_.size()].clear();
    }
    for (;;) {
      PathStep step;
      ws();
      if (object) {
        if (at_ >= in_.size() || in_[at_] != '"') return false;
        std::size_t key_start = at_ + 1;
        if (!string(buf_, false)) return false;
        step.key = in_.substr(key_start, at_ - 1 - key_start);  // no escapes: the raw bytes are the name
        if (step.key.empty()) return false;  // an empty name would read as an array step
        auto& seen = keys_[path_.size()];
        for (auto k : seen)
          if (k == step.key) return false;  // a repeated key: the strict parser refuses it too
        if (seen.size() >= kMaxMembers) return false;
        seen.push_back(step.key);
        ws();
        if (at_ >= in_.size() || in_[at_] != ':') return false;
        ++at_;
      } else {
        if (static_cast<std::size_t>(n) >= kMaxItems) return false;
        step.index = n;
      }
      path_.push_back(step);
      if (!value(on_leaf)) return false;
      path_.pop_back();
      ++n;
      ws();
      if (at_ >= in_.size()) return false;
      if (in_[at_] == ',') {
        ++at_;
        continue;
      }
      if (in_[at_] != close) return false;
      ++at_;
      return true;
    }
  }
  if (c == '"') {
    if (!string(buf_, true)) return false;
    on_leaf(path_, buf_, true);
    return true;
  }
  // A number or a literal: its bytes, checked loosely here and strictly below for literals.
  std::size_t start = at_;
  while (at_ < in_.size() && in_[at_] != ',' && in_[at_] != '}' && in_[at_] != ']' && in_[at_] != ' ' && in_[at_] != '\t' &&
         in_[at_] != '\n' && in_[at_] != '\r')
    ++at_;
  auto token = in_.substr(start, at_ - start);
  if (token.empty()) return false;
  if (token != "null" && token != "true" && token != "false" && !number(token)) return false;
  on_leaf(path_, token, false);
  return true;
}

bool JsonLeaves::read(std::string_view text, const OnLeaf& on_leaf) {
  if (text.find('\0') != std::string_view::npos) return false;
  in_ = text;
  at_ = 0;
  path_.clear();
  if (!value(on_leaf)) return false;
  ws();
  return at_ == in_.size();
}

}  // namespace airlock::gateway
