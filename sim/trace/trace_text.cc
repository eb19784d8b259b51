// SPDX-License-Identifier: GPL-2.0
#include "trace_text.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <string_view>
#include <vector>

#include "text_parse.h"

namespace ipvs_sim {

namespace {

constexpr size_t kBufferSize = 1 << 20;
constexpr int kMaxFields = 8;

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || s.front() == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(*out);
}

// Dotted quad without the inet_pton round trip: the hot path of big traces.
bool ParseV4Fast(std::string_view s, IpAddr* out) {
  IpAddr a;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    size_t start = i;
    uint32_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      v = v * 10 + static_cast<uint32_t>(s[i++] - '0');
    if (i == start || v > 255) return false;
    a.bytes[part] = static_cast<uint8_t>(v);
  }
  if (i != s.size()) return false;
  a.family = Family::kV4;
  *out = a;
  return true;
}

// "a.b.c.d:port" or "[v6]:port"; the port is required.
bool ParseEndpoint(std::string_view s, Endpoint* out) {
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (!ParsePort(port, &out->port)) return false;
    return IpAddr::Parse(host, &out->addr) && out->addr.family == Family::kV6;
  }
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  return ParsePort(s.substr(colon + 1), &out->port) && ParseV4Fast(s.substr(0, colon), &out->addr);
}

bool ParseProtoFast(std::string_view s, Proto* out) {
  if (s == "tcp") {
    *out = Proto::kTcp;
    return true;
  }
  if (s == "udp") {
    *out = Proto::kUdp;
    return true;
  }
  return ParseProto(s, out);
}

// The fast path of the common line "START PROTO A.B.C.D:P A.B.C.D:P [DUR [PKTS BYTES]]\n":
// single spaces, tcp or udp, IPv4, plain decimals. It accepts only lines
// that the general parser reads the same way; anything else (and any
// error) goes to the general parser. The buffer ends in a NUL sentinel,
// which no field accepts, so the scanners need no bounds checks; each
// advances @p past what it read.
namespace fast {

inline bool Digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// A decimal "D+" or "D+.D+" converted exactly as std::from_chars does:
// with at most 19 digits, a mantissa up to 2^53 and at most 22 decimals,
// mantissa / 10^decimals is one correctly rounded division of two exact
// doubles (Clinger's fast path).
[[gnu::always_inline]] inline bool Double(const char*& p, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* s = p;
  uint64_t m = 0;  // may wrap past 19 digits: rejected below
  while (Digit(*p)) m = m * 10 + static_cast<uint64_t>(*p++ - '0');
  size_t whole = static_cast<size_t>(p - s);
  if (whole == 0) return false;
  size_t decimals = 0;
  if (*p == '.') {
    const char* f = ++p;
    while (Digit(*p)) m = m * 10 + static_cast<uint64_t>(*p++ - '0');
    decimals = static_cast<size_t>(p - f);
    if (decimals == 0 || decimals > 22) return false;
  }
  if (whole + decimals > 19 || m > (uint64_t{1} << 53)) return false;
  *out = decimals ? static_cast<double>(m) / kPow10[decimals] : static_cast<double>(m);
  return true;
}

// 1 to 19 digits (no overflow possible).
[[gnu::always_inline]] inline bool U64(const char*& p, uint64_t* out) {
  const char* s = p;
  uint64_t v = 0;
  while (Digit(*p)) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  size_t n = static_cast<size_t>(p - s);
  *out = v;
  return n > 0 && n <= 19;
}

// 1 to @max digits, not followed by another digit, at most @limit.
[[gnu::always_inline]] inline bool Number(const char*& p, int max, uint32_t limit, uint32_t* out) {
  const char* s = p;
  uint32_t v = 0;
  while (Digit(*p) && p - s < max) v = v * 10 + static_cast<uint32_t>(*p++ - '0');
  *out = v;
  return p != s && !Digit(*p) && v <= limit;
}

// Number(p, 3, 255, out) unrolled: a byte past a digit is at worst the
// sentinel, so p[1] and p[2] may be read once p[0] and p[1] are digits.
[[gnu::always_inline]] inline bool Octet(const char*& p, uint32_t* out) {
  uint32_t d0 = static_cast<uint32_t>(static_cast<unsigned char>(p[0]) - '0');
  if (d0 > 9) return false;
  uint32_t d1 = static_cast<uint32_t>(static_cast<unsigned char>(p[1]) - '0');
  if (d1 > 9) {
    *out = d0;
    p += 1;
    return true;
  }
  uint32_t d2 = static_cast<uint32_t>(static_cast<unsigned char>(p[2]) - '0');
  if (d2 > 9) {
    *out = d0 * 10 + d1;
    p += 2;
    return true;
  }
  *out = d0 * 100 + d1 * 10 + d2;
  p += 3;
  return !Digit(*p) && *out <= 255;
}

// "a.b.c.d:port" as ParseV4Fast and ParsePort read it, into a zeroed @ep.
[[gnu::always_inline]] inline bool V4Endpoint(const char*& p, Endpoint* ep) {
  for (int part = 0; part < 4; ++part) {
    if (part && *p++ != '.') return false;
    uint32_t v;
    if (!Octet(p, &v)) return false;
    ep->addr.bytes[part] = static_cast<uint8_t>(v);
  }
  uint32_t port;
  if (*p++ != ':' || !Number(p, 5, 65535, &port)) return false;
  ep->addr.family = Family::kV4;
  ep->port = static_cast<uint16_t>(port);
  return true;
}

// "tcp" or "udp".
[[gnu::always_inline]] inline bool Proto3(const char*& p, Proto* out) {
  if (p[0] == 't' && p[1] == 'c' && p[2] == 'p') {
    *out = Proto::kTcp;
  } else if (p[0] == 'u' && p[1] == 'd' && p[2] == 'p') {
    *out = Proto::kUdp;
  } else {
    return false;
  }
  p += 3;
  return true;
}

}  // namespace fast

class TextTraceReader : public TraceReader {
 public:
  TextTraceReader(FILE* f, bool owned, std::string name, uint64_t size, std::string backing = {})
      : f_(f), owned_(owned), name_(std::move(name)), size_(size), backing_(std::move(backing)) {
    buf_.resize(kBufferSize + 1);  // + the sentinel of FastNext
    // Open the memory stream on our own copy: a moved short string would
    // have changed address.
    if (!f_) f_ = fmemopen(backing_.data(), backing_.size(), "r");
  }
  ~TextTraceReader() override {
    if (owned_ && f_) fclose(f_);
  }
  TextTraceReader(const TextTraceReader&) = delete;
  TextTraceReader& operator=(const TextTraceReader&) = delete;

  bool Next(TraceFlow* flow) override {
    if (failed_) return false;
    if (FastNext(flow)) return true;
    std::string_view line;
    while (NextLine(&line)) {
      ++lineno_;
      int r = ParseLine(line, flow);
      if (r > 0) return true;
      if (r < 0) return false;
    }
    return false;
  }
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return consumed_; }
  uint64_t size() const override { return size_; }

 private:
  // Reads the next line in place if it is a plain flow line (FastLine)
  // that is complete in the buffer; false leaves everything untouched.
  bool FastNext(TraceFlow* flow) {
    char* base = buf_.data();
    base[end_] = '\0';  // the sentinel
    const char* p = base + begin_;
    TraceFlow t;
    if (!fast::Double(p, &t.start) || t.start < last_start_ || t.start > kMaxSeconds ||
        *p++ != ' ' || !fast::Proto3(p, &t.key.proto) || *p++ != ' ' ||
        !fast::V4Endpoint(p, &t.key.client) || *p++ != ' ' || !fast::V4Endpoint(p, &t.key.vip))
      return false;
    if (*p == ' ') {
      ++p;
      if (!fast::Double(p, &t.duration) || t.duration > kMaxSeconds) return false;
      if (*p == ' ') {
        ++p;
        if (!fast::U64(p, &t.packets) || *p++ != ' ' || !fast::U64(p, &t.bytes)) return false;
      }
    }
    if (*p != '\n') return false;
    size_t at = static_cast<size_t>(p - base);
    consumed_ += at + 1 - begin_;
    begin_ = at + 1;
    ++lineno_;
    last_start_ = t.start;
    *flow = t;
    return true;
  }

  // Next raw line without its '\n'; false at the end or on a read error.
  bool NextLine(std::string_view* line) {
    for (;;) {
      const char* base = buf_.data();
      const void* nl = end_ > begin_ ? memchr(base + begin_, '\n', end_ - begin_) : nullptr;
      if (nl) {
        size_t at = static_cast<const char*>(nl) - base;
        *line = std::string_view(base + begin_, at - begin_);
        consumed_ += at + 1 - begin_;
        begin_ = at + 1;
        return true;
      }
      if (eof_) {
        if (begin_ == end_) return false;
        *line = std::string_view(base + begin_, end_ - begin_);
        consumed_ += end_ - begin_;
        begin_ = end_;
        return true;
      }
      if (begin_ > 0) {
        memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (end_ == kBufferSize) {
        Fail(lineno_ + 1, fmt::format("line longer than {} bytes", kBufferSize));
        return false;
      }
      size_t n = fread(buf_.data() + end_, 1, kBufferSize - end_, f_);
      end_ += n;
      if (n == 0) {
        if (ferror(f_)) {
          error_ = fmt::format("{}: read error: {}", name_, strerror(errno));
          failed_ = true;
          return false;
        }
        eof_ = true;
      }
    }
  }

  bool Fail(uint64_t line, const std::string& what) {
    error_ = fmt::format("{}:{}: {}", name_, line, what);
    failed_ = true;
    return false;
  }

  // 1: a flow, 0: blank or comment, -1: error.
  int ParseLine(std::string_view line, TraceFlow* flow) {
    std::string_view f[kMaxFields + 1];
    int n = 0;
    size_t i = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
        continue;
      }
      if (c == '#') break;
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
             line[i] != '#')
        ++i;
      if (n <= kMaxFields) f[n] = line.substr(start, i - start);
      ++n;
    }
    if (n == 0) return 0;
    if (n != 4 && n != 5 && n != 7) {
      Fail(lineno_, fmt::format("expected START PROTO CLIENT VIP [DURATION [PACKETS BYTES]], "
                                "got {} fields",
                                n));
      return -1;
    }
    TraceFlow t;
    if (!ParseDouble(f[0], &t.start) || t.start < 0) {
      Fail(lineno_, fmt::format("bad start time '{}'", f[0]));
      return -1;
    }
    if (t.start > kMaxSeconds) {
      Fail(lineno_, BeyondMaxSeconds("start time", f[0]));
      return -1;
    }
    if (t.start < last_start_) {
      Fail(lineno_, fmt::format("start time {} is before the previous flow's {} (starts must not "
                                "decrease)",
                                f[0], last_start_));
      return -1;
    }
    if (!ParseProtoFast(f[1], &t.key.proto)) {
      Fail(lineno_, fmt::format("bad protocol '{}' (tcp, udp or sctp)", f[1]));
      return -1;
    }
    if (!ParseEndpoint(f[2], &t.key.client)) {
      Fail(lineno_, fmt::format("bad client address '{}' (a.b.c.d:port or [v6]:port)", f[2]));
      return -1;
    }
    if (!ParseEndpoint(f[3], &t.key.vip)) {
      Fail(lineno_,
           fmt::format("bad virtual service address '{}' (a.b.c.d:port or [v6]:port)", f[3]));
      return -1;
    }
    if (t.key.client.addr.family != t.key.vip.addr.family) {
      Fail(lineno_, "client and virtual service are of different address families");
      return -1;
    }
    if (n >= 5 && (!ParseDouble(f[4], &t.duration) || t.duration < 0)) {
      Fail(lineno_, fmt::format("bad duration '{}'", f[4]));
      return -1;
    }
    if (t.duration > kMaxSeconds) {
      Fail(lineno_, BeyondMaxSeconds("duration", f[4]));
      return -1;
    }
    if (n == 7) {
      if (!ParseDecimal(f[5], UINT64_MAX, &t.packets)) {
        Fail(lineno_, fmt::format("bad packet count '{}'", f[5]));
        return -1;
      }
      if (!ParseDecimal(f[6], UINT64_MAX, &t.bytes)) {
        Fail(lineno_, fmt::format("bad byte count '{}'", f[6]));
        return -1;
      }
    }
    last_start_ = t.start;
    *flow = t;
    return 1;
  }

  FILE* f_;
  bool owned_;
  std::string name_;
  uint64_t size_;
  std::string backing_;  // the text behind an fmemopen() stream
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool failed_ = false;
  uint64_t lineno_ = 0;
  uint64_t consumed_ = 0;
  double last_start_ = 0;
  std::string error_;
};

template <typename Out>
Out FormatEndpoint(Out out, const Endpoint& ep) {
  if (ep.addr.family == Family::kV4) {
    const auto& b = ep.addr.bytes;
    return fmt::format_to(out, "{}.{}.{}.{}:{}", b[0], b[1], b[2], b[3], ep.port);
  }
  return fmt::format_to(out, "[{}]:{}", ep.addr.ToString(), ep.port);
}

}  // namespace

std::unique_ptr<TraceReader> OpenTextTrace(const std::string& path, std::string* err) {
  if (path == "-") return std::make_unique<TextTraceReader>(stdin, false, "<stdin>", 0);
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    *err = fmt::format("{}: cannot open: {}", path, strerror(errno));
    return nullptr;
  }
  struct stat st;
  uint64_t size = fstat(fileno(f), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return std::make_unique<TextTraceReader>(f, true, path, size);
}

std::unique_ptr<TraceReader> TextTraceFromString(std::string text, const std::string& name) {
  uint64_t size = text.size();
  if (text.empty()) text.push_back('\n');  // fmemopen() wants a non-empty buffer
  return std::make_unique<TextTraceReader>(nullptr, true, name, size, std::move(text));
}

void AppendTraceFlow(const TraceFlow& flow, std::string* out) {
  auto it = std::back_inserter(*out);
  it = fmt::format_to(it, "{:.6f} {} ", flow.start, ProtoName(flow.key.proto));
  it = FormatEndpoint(it, flow.key.client);
  *it++ = ' ';
  it = FormatEndpoint(it, flow.key.vip);
  it = fmt::format_to(it, " {:.6f}", flow.duration);
  if (flow.packets || flow.bytes) it = fmt::format_to(it, " {} {}", flow.packets, flow.bytes);
  *it++ = '\n';
}

std::string FormatTraceFlow(const TraceFlow& flow) {
  std::string s;
  AppendTraceFlow(flow, &s);
  return s;
}

bool WriteTraceFlow(FILE* f, const TraceFlow& flow) {
  std::string s = FormatTraceFlow(flow);
  return fwrite(s.data(), 1, s.size(), f) == s.size();
}

bool WriteTraceFlow(std::ostream& os, const TraceFlow& flow) {
  std::string s = FormatTraceFlow(flow);
  os.write(s.data(), static_cast<std::streamsize>(s.size()));
  return static_cast<bool>(os);
}

}  // namespace ipvs_sim
