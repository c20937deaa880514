#include "guardrails/detect.h"

#include <algorithm>
#include <cstring>

namespace airlock::guardrails {
namespace {

// Byte classes, one table lookup per byte on the hot path.
enum : std::uint8_t { kDigit = 1, kUpper = 2, kLower = 4, kOtherWord = 8, kLocal = 16, kDomain = 32 };

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit | kLocal | kDomain;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kUpper | kLocal | kDomain;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kLower | kLocal | kDomain;
  for (int c = 0x80; c <= 0xff; ++c) t[c] = kOtherWord;  // letters of other scripts join words
  t['_'] = kOtherWord | kLocal;
  for (char c : {'.', '%', '+', '-', '\''}) t[static_cast<unsigned char>(c)] |= kLocal;
  t['.'] |= kDomain;
  t['-'] |= kDomain;
  return t;
}
constexpr auto kClass = make_classes();

inline std::uint8_t cls(char c) { return kClass[static_cast<unsigned char>(c)]; }
inline bool is_digit(char c) { return cls(c) & kDigit; }
inline bool is_alpha(char c) { return cls(c) & (kUpper | kLower); }
inline bool is_alnum(char c) { return cls(c) & (kDigit | kUpper | kLower); }
inline bool is_word(char c) { return cls(c) & (kDigit | kUpper | kLower | kOtherWord); }
// Characters of key-shaped tokens: base64url and the separators vendors put in their keys.
inline bool is_token(char c) { return is_alnum(c) || c == '_' || c == '-'; }

bool starts_with(std::string_view t, std::size_t i, std::string_view p) { return t.substr(i, p.size()) == p; }

std::size_t span(std::string_view t, std::size_t i, bool (*pred)(char)) {
  while (i < t.size() && pred(t[i])) ++i;
  return i;
}

void add(Scan& out, std::size_t b, std::size_t e, Detector d) {
  out.findings.push_back({static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), d, -1});
}

// ---- e-mail: local@domain.tld -------------------------------------------------------------------
// The local part is the run of [A-Za-z0-9._%+'-] before the '@' (1–64 bytes, not starting or ending
// with '.'); the domain is two or more labels of [A-Za-z0-9-] (1–63 bytes, no '-' at either end),
// 253 bytes at most, ending in a letters-only TLD of 2–63. So "@scope/pkg@1.2.3" is not an e-mail
// (empty local part; numeric "TLD"), nor "user@localhost". Returns the end of the match or 0.
std::size_t email_at(std::string_view t, std::size_t local_begin, std::size_t at) {
  while (local_begin < at && (t[local_begin] == '.' || t[local_begin] == '-' || t[local_begin] == '+' ||
                              t[local_begin] == '\''))
    ++local_begin;
  if (local_begin >= at || at - local_begin > 64 || t[at - 1] == '.') return 0;
  std::size_t d = at + 1, e = d;
  while (e < t.size() && (cls(t[e]) & kDomain) && e - d <= 253) ++e;
  if (e - d > 253) return 0;
  if (e < t.size() && (cls(t[e]) & kOtherWord)) return 0;  // "_" or non-ASCII: part of a larger token
  while (e > d && (t[e - 1] == '.' || t[e - 1] == '-')) --e;  // the sentence's full stop
  if (e < t.size() && t[e] == '@') return 0;
  std::size_t labels = 0, label_begin = d;
  bool tld_letters = false;
  for (std::size_t p = d; p <= e; ++p) {
    if (p < e && t[p] != '.') continue;
    std::size_t len = p - label_begin;
    if (len == 0 || len > 63 || t[label_begin] == '-' || t[p - 1] == '-') return 0;
    ++labels;
    tld_letters = len >= 2;
    for (std::size_t q = label_begin; q < p && tld_letters; ++q) tld_letters = is_alpha(t[q]);
    label_begin = p + 1;
  }
  return labels >= 2 && tld_letters ? e : 0;
}

// ---- number runs: cards, SSNs, phones -----------------------------------------------------------
// A run is groups of digits ("(202)" counts as a group) joined by one ' ', '-' or '.' (or nothing
// after a ')'), with an optional leading '+'. Only runs that start at a boundary are read: not
// after a letter or digit, and not after '-', '_' or '.' joined to one ("INV-4111…", "v1.2"), nor
// after ':', '/' or ',' joined to a digit (times, dates, thousands). The run must end at one too,
// so ISO timestamps, UUIDs and ids with letters are never numbers.
constexpr std::size_t kMaxRun = 64;
constexpr std::size_t kMaxGroups = 12;

struct Group {
  std::uint32_t begin, end;  // including the parentheses
  std::uint8_t digits;
  char sep_before;  // 0 for the first group and after ')'
  bool paren;
};

struct Run {
  bool plus = false;
  std::size_t count = 0;
  std::array<Group, kMaxGroups> g;  // only the first `count` are written and read
};

bool number_start(std::string_view t, std::size_t i) {
  if (i == 0) return true;
  char p = t[i - 1];
  if (is_word(p)) return false;
  char pp = i >= 2 ? t[i - 2] : ' ';
  if ((p == '-' || p == '.') && is_word(pp)) return false;
  if ((p == ':' || p == '/' || p == ',') && is_digit(pp)) return false;
  return true;
}

Run read_run(std::string_view t, std::size_t i) {
  Run r;
  std::size_t limit = std::min(t.size(), i + kMaxRun);
  std::size_t p = i;
  if (p < limit && t[p] == '+') {
    r.plus = true;
    ++p;
  }
  char sep = 0;
  while (p < limit && r.count < kMaxGroups) {
    Group g{static_cast<std::uint32_t>(p), 0, 0, sep, false};
    std::size_t q = p;
    if (t[q] == '(') {
      g.paren = true;
      ++q;
    }
    std::size_t ds = q;
    while (q < limit && is_digit(t[q]) && q - ds < 20) ++q;
    std::size_t nd = q - ds;
    if (nd == 0 || nd >= 20) break;
    if (g.paren) {
      if (q >= limit || t[q] != ')') break;
      ++q;
    }
    g.end = static_cast<std::uint32_t>(q);
    g.digits = static_cast<std::uint8_t>(nd);
    r.g[r.count++] = g;
    // What joins the next group.
    if (q + 1 < limit && (t[q] == ' ' || t[q] == '-' || t[q] == '.') && (is_digit(t[q + 1]) || t[q + 1] == '(')) {
      sep = t[q];
      p = q + 1;
    } else if (g.paren && q < limit && is_digit(t[q])) {
      sep = 0;
      p = q;
    } else {
      break;
    }
  }
  return r;
}

// The run's digits from group a to group b (exclusive), at most 19 of them.
std::size_t digits_of(std::string_view t, const Run& r, std::size_t a, std::size_t b, char* out) {
  std::size_t n = 0;
  for (std::size_t k = a; k < b; ++k)
    for (std::size_t p = r.g[k].begin; p < r.g[k].end; ++p)
      if (is_digit(t[p])) out[n++] = t[p];
  return n;
}

std::size_t digit_total(const Run& r, std::size_t k) {
  std::size_t n = 0;
  for (std::size_t j = 0; j < k; ++j) n += r.g[j].digits;
  return n;
}

int num(const char* d, std::size_t n) {
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 10 + (d[i] - '0');
  return v;
}

// Payment card: 13–19 digits starting 2–6 (the major networks' ranges), either one group or 2–5
// groups of 3–7 joined by the same single ' ' or '-', and Luhn-valid. A 16-digit run that fails
// Luhn (most order ids) is left alone.
bool is_card(std::string_view t, const Run& r, std::size_t k) {
  if (r.plus || k > 5) return false;
  std::size_t total = digit_total(r, k);
  if (total < 13 || total > 19) return false;
  if (k > 1) {
    char sep = r.g[1].sep_before;
    if (sep != ' ' && sep != '-') return false;
    for (std::size_t j = 0; j < k; ++j)
      if (r.g[j].paren || r.g[j].digits < 3 || r.g[j].digits > 7 || (j > 0 && r.g[j].sep_before != sep)) return false;
  } else if (r.g[0].paren) {
    return false;
  }
  char d[20];
  std::size_t n = digits_of(t, r, 0, k, d);
  if (d[0] < '2' || d[0] > '6') return false;
  return luhn_valid({d, n});
}

// US SSN ddd-dd-dddd in a format the SSA issues: area not 000, 666 or 900–999, group not 00, serial
// not 0000. Bare nine-digit numbers are order ids, not SSNs.
bool is_ssn(std::string_view t, const Run& r, std::size_t k) {
  if (r.plus || k != 3) return false;
  if (r.g[0].digits != 3 || r.g[1].digits != 2 || r.g[2].digits != 4) return false;
  for (std::size_t j = 0; j < 3; ++j)
    if (r.g[j].paren || (j > 0 && r.g[j].sep_before != '-')) return false;
  char d[20];
  digits_of(t, r, 0, 3, d);
  int area = num(d, 3), group = num(d + 3, 2), serial = num(d + 5, 4);
  return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

// Phones. E.164: '+' then 8–15 digits in any grouping. NANP: [1 sep] area sep exchange sep line
// (3-3-4 digits, the area optionally in parentheses), area and exchange starting 2–9, with
// separators: a bare ten-digit run is a Unix time or an id, not a phone.
bool is_phone(std::string_view t, const Run& r, std::size_t k) {
  std::size_t total = digit_total(r, k);
  if (r.plus) return total >= 8 && total <= 15;
  std::size_t a = 0;
  if (k == 4 && r.g[0].digits == 1 && !r.g[0].paren && t[r.g[0].begin] == '1') a = 1;
  if (k - a != 3) return false;
  const Group &area = r.g[a], &ex = r.g[a + 1], &line = r.g[a + 2];
  if (area.digits != 3 || ex.digits != 3 || line.digits != 4 || ex.paren || line.paren) return false;
  if (!area.paren && ex.sep_before == 0) return false;
  if (line.sep_before == 0) return false;
  char fa = t[area.begin + (area.paren ? 1 : 0)], fe = t[ex.begin];
  return fa >= '2' && fa <= '9' && fe >= '2' && fe <= '9';
}

// Whether a detection may end after group k: at the run's end it must be a boundary (not a word
// character, not '.', '-', '/', ':' or ',' joined to a digit); inside the run only where a space
// separates it from the rest (a list of numbers), never where '-' or '.' joins more digits.
bool ends_cleanly(std::string_view t, const Run& r, std::size_t k) {
  if (k < r.count) return r.g[k].sep_before == ' ';
  std::size_t e = r.g[k - 1].end;
  if (e >= t.size()) return true;
  char c = t[e];
  if (is_word(c)) return false;
  if ((c == '.' || c == '-' || c == '/' || c == ':' || c == ',') && e + 1 < t.size() && is_digit(t[e + 1])) return false;
  return true;
}

// The longest detection that starts at i, or 0. Never skips ahead on a miss, so the next group of
// a space-separated list gets its own chance; each call reads at most kMaxRun bytes.
std::size_t number_at(std::string_view t, std::size_t i, Scan& out) {
  Run r = read_run(t, i);
  for (std::size_t k = r.count; k >= 1; --k) {
    if (!ends_cleanly(t, r, k)) continue;
    Detector d;
    if (is_card(t, r, k)) d = Detector::kCard;
    else if (is_ssn(t, r, k)) d = Detector::kSsn;
    else if (is_phone(t, r, k)) d = Detector::kPhone;
    else continue;
    add(out, i, r.g[k - 1].end, d);
    return r.g[k - 1].end;
  }
  return 0;
}

// ---- secrets -------------------------------------------------------------------------------------
// Vendor key shapes at the start of a token (not after [A-Za-z0-9_-]).

// OpenAI (sk-, sk-proj-, sk-svcacct-, …) and Anthropic (sk-ant-…): 20 or more token characters
// after "sk-", with a digit and a letter, and few separators: random keys are dense, while prose
// like "sk-learn-and-friends" is words joined by dashes.
std::size_t sk_key(std::string_view t, std::size_t i) {
  if (!starts_with(t, i, "sk-")) return 0;
  std::size_t b = i + 3, e = span(t, b, is_token);
  if (e - b < 20) return 0;
  std::size_t digits = 0, letters = 0, seps = 0;
  for (std::size_t p = b; p < e; ++p) {
    if (is_digit(t[p])) ++digits;
    else if (is_alpha(t[p])) ++letters;
    else ++seps;
  }
  return digits > 0 && letters > 0 && seps * 8 <= e - b ? e : 0;
}

// Exactly `len` characters of `pred` after the prefix, then the token ends.
std::size_t fixed(std::string_view t, std::size_t i, std::string_view prefix, std::size_t len, bool (*pred)(char),
                  bool at_least = false) {
  if (!starts_with(t, i, prefix)) return 0;
  std::size_t b = i + prefix.size(), e = span(t, b, pred);
  if (at_least ? e - b < len : e - b != len) return 0;
  if (e < t.size() && is_token(t[e])) return 0;
  return e;
}

bool upper_or_digit(char c) { return (cls(c) & (kUpper | kDigit)) != 0; }
bool alnum_c(char c) { return is_alnum(c); }
bool alnum_underscore(char c) { return is_alnum(c) || c == '_'; }
bool slack_c(char c) { return is_alnum(c) || c == '-'; }

// JWT: base64url("{…") . base64url("{…") . signature (possibly empty for alg none).
std::size_t jwt(std::string_view t, std::size_t i) {
  if (!starts_with(t, i, "eyJ")) return 0;
  auto b64 = [](char c) { return is_alnum(c) || c == '_' || c == '-'; };
  std::size_t p = i + 3;
  std::size_t e = span(t, p, b64);
  if (e - p < 10 || e >= t.size() || t[e] != '.' || !starts_with(t, e + 1, "eyJ")) return 0;
  p = e + 4;
  e = span(t, p, b64);
  if (e - p < 10 || e >= t.size() || t[e] != '.') return 0;
  return span(t, e + 1, b64);
}

// PEM private key: "-----BEGIN … PRIVATE KEY-----", its body lines (base64, and the
// "Proc-Type:"/"DEK-Info:" headers of an encrypted key), and the END line when it is there. Read
// line by line, so a BEGIN without an END masks the block, not the rest of the prompt.
std::size_t pem(std::string_view t, std::size_t i) {
  if (!starts_with(t, i, "-----BEGIN ")) return 0;
  std::size_t eol = i + 11;
  while (eol < t.size() && eol - i < 80 && t[eol] != '\n' && !starts_with(t, eol, "-----")) ++eol;
  if (!starts_with(t, eol, "-----")) return 0;
  std::string_view label = t.substr(i + 11, eol - i - 11);
  if (label.size() < 11 || label.substr(label.size() - 11) != "PRIVATE KEY") return 0;
  std::size_t end = eol + 5;
  auto body_char = [](char c) { return is_alnum(c) || c == '+' || c == '/' || c == '='; };
  for (std::size_t p = end;;) {
    // Between lines: a line break (or the two characters "\n" of text that was never JSON-decoded).
    // Spaces alone join a body that lost its line breaks in a paste only when the next piece is
    // long (40+), so the prose after an unterminated block is never taken for its body.
    std::size_t q = p;
    bool line_break = false;
    while (q < t.size()) {
      std::size_t step = t[q] == '\r' || t[q] == '\n' ? 1
                         : t[q] == '\\' && q + 1 < t.size() && (t[q + 1] == 'n' || t[q + 1] == 'r') ? 2
                                                                                                : 0;
      if (step == 0 && t[q] != ' ' && t[q] != '\t') break;
      line_break = line_break || step > 0;
      q += step > 0 ? step : 1;
    }
    if (q == p) break;
    if (starts_with(t, q, "-----END ")) {
      std::size_t f = q + 9;
      while (f < t.size() && f - q < 80 && t[f] != '\n' && !starts_with(t, f, "-----")) ++f;
      return starts_with(t, f, "-----") ? f + 5 : end;
    }
    std::size_t r = q;
    if (line_break && (starts_with(t, q, "Proc-Type:") || starts_with(t, q, "DEK-Info:"))) {
      while (r < t.size() && t[r] != '\n' && t[r] != '\\') ++r;
    } else {
      while (r < t.size() && body_char(t[r])) ++r;
      // A body line is base64 up to its line end; "Thanks for the key" on the next line is not.
      bool whole_line = r == t.size() || t[r] == '\r' || t[r] == '\n' || t[r] == '\\';
      if (line_break ? !whole_line : r - q < 40) break;
    }
    if (r == q) break;
    end = p = r;
  }
  return end;
}

std::size_t secret_at(std::string_view t, std::size_t i) {
  switch (t[i]) {
    case 's': return sk_key(t, i);
    case 'A':
      if (auto e = fixed(t, i, "AKIA", 16, upper_or_digit)) return e;
      if (auto e = fixed(t, i, "ASIA", 16, upper_or_digit)) return e;
      return fixed(t, i, "AIza", 35, is_token);
    case 'g':
      for (std::string_view p : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"})
        if (auto e = fixed(t, i, p, 36, alnum_c, true)) return e;
      return fixed(t, i, "github_pat_", 22, alnum_underscore, true);
    case 'x':
      if (t.size() - i > 5 && starts_with(t, i, "xox") && t[i + 3] != 0 && std::strchr("abeoprs", t[i + 3]) &&
          t[i + 4] == '-')
        return fixed(t, i, t.substr(i, 5), 10, slack_c, true);
      return 0;
    case 'a': return fixed(t, i, "alk_", 40, alnum_underscore, true);
    case 'e': return jwt(t, i);
    case '-': return pem(t, i);
    default: return 0;
  }
}

bool url_at(std::string_view t, std::size_t i) {
  auto lower_is = [&](std::size_t p, std::string_view s) {
    if (t.size() - p < s.size()) return false;
    for (std::size_t k = 0; k < s.size(); ++k)
      if ((t[p + k] | 0x20) != s[k] && t[p + k] != s[k]) return false;
    return true;
  };
  return lower_is(i, "http://") || lower_is(i, "https://");
}

}  // namespace

std::string_view detector_name(Detector d) {
  switch (d) {
    case Detector::kEmail: return "email";
    case Detector::kCard: return "card";
    case Detector::kSsn: return "ssn";
    case Detector::kPhone: return "phone";
    case Detector::kSecret: return "secret";
    case Detector::kRule: return "rule";
  }
  return "rule";
}

std::string_view detector_label(Detector d) {
  switch (d) {
    case Detector::kEmail: return "[EMAIL]";
    case Detector::kCard: return "[CARD]";
    case Detector::kSsn: return "[SSN]";
    case Detector::kPhone: return "[PHONE]";
    case Detector::kSecret: return "[SECRET]";
    case Detector::kRule: return "[REDACTED]";
  }
  return "[REDACTED]";
}

std::optional<Detector> detector_from_name(std::string_view name) {
  for (Detector d : kBuiltins)
    if (detector_name(d) == name) return d;
  return std::nullopt;
}

std::uint32_t Scan::count(Detector d) const {
  return static_cast<std::uint32_t>(
      std::count_if(findings.begin(), findings.end(), [d](const Finding& f) { return f.detector == d; }));
}

bool luhn_valid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (std::size_t k = digits.size(); k-- > 0;) {
    int v = digits[k] - '0';
    if (v < 0 || v > 9) return false;
    if (twice && (v *= 2) > 9) v -= 9;
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

void detect(std::string_view text, Scan& out) {
  std::string_view t = text.substr(0, std::min(text.size(), kMaxScanBytes));
  const std::size_t n = t.size();
  std::size_t local = 0;  // where the run of e-mail local-part characters ending at i began
  std::size_t i = 0;
  while (i < n) {
    char c = t[i];
    std::uint8_t k = cls(c);
    std::size_t e = 0;
    if (c == '@') {
      if (std::size_t m = email_at(t, local, i)) {
        std::size_t b = local;
        while (t[b] == '.' || t[b] == '-' || t[b] == '+' || t[b] == '\'') ++b;
        add(out, b, m, Detector::kEmail);
        e = m;
      }
    } else if ((k & kDigit) || c == '+' || c == '(') {
      if (number_start(t, i) && ((k & kDigit) || (i + 1 < n && (is_digit(t[i + 1]) || t[i + 1] == '('))))
        e = number_at(t, i, out);
    } else if ((k & (kUpper | kLower)) || c == '-') {
      if (i == 0 || !is_token(t[i - 1])) {
        if (std::size_t m = secret_at(t, i)) {
          add(out, i, m, Detector::kSecret);
          e = m;
        } else if ((c | 0x20) == 'h' && url_at(t, i)) {
          ++out.urls;
        }
      }
    }
    if (e > i) {
      i = local = e;
      continue;
    }
    if (!(k & kLocal)) local = i + 1;
    ++i;
    // Letters inside a word are most of any prose and can start nothing: pass them in a tight loop
    // (they are local-part characters, so `local` stays).
    if (k & (kUpper | kLower | kDigit))
      while (i < n && (cls(t[i]) & (kUpper | kLower))) ++i;
  }
}

}  // namespace airlock::guardrails
