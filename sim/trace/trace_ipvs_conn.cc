// SPDX-License-Identifier: GPL-2.0
#include "trace_ipvs_conn.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

// Hex IPv4 (8 digits) or IPv6 text.
bool ParseConnAddr(std::string_view s, IpAddr* out) {
  if (s.find(':') != std::string_view::npos)
    return IpAddr::Parse(s, out) && out->family == Family::kV6;
  uint32_t v;
  if (s.size() != 8 || !ParseHex(s, UINT32_MAX, &v)) return false;
  *out = IpAddr::V4(v);
  return true;
}

// Which variant the header announces; 0 for "not a header".
enum Variant { kNotHeader = 0, kConn = 1, kConnSync = 2 };

Variant HeaderVariant(std::string_view line) {
  std::vector<std::string_view> f = SplitWords(line);
  if (f.size() < 9 || f[0] != "Pro" || f[1] != "FromIP") return kNotHeader;
  return f[8] == "Origin" ? kConnSync : kConn;
}

// The first kMaxFields words of @line into @f; returns how many words the
// line has. No allocation: a table of a million lines is read per line.
constexpr size_t kMaxFields = 10;
size_t Fields(std::string_view line, std::string_view (&f)[kMaxFields]) {
  size_t n = 0, i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i == start) break;
    if (n < kMaxFields) f[n] = line.substr(start, i - start);
    ++n;
  }
  return n;
}

// True for a line of blanks only.
bool Blank(std::string_view line) {
  std::string_view f[kMaxFields];
  return Fields(line, f) == 0;
}

// Parses one entry line; false with *err (no location) on bad input.
bool ParseEntry(std::string_view line, Variant variant, IpvsConnEntry* e, std::string* err) {
  std::string_view f[kMaxFields];
  size_t n = Fields(line, f);
  size_t need = variant == kConnSync ? 10 : 9;
  if (n < need) {
    *err = fmt::format("expected {} fields, got {}", need, n);
    return false;
  }
  IpvsConnEntry x;
  x.protocol = std::string(f[0]);
  if (x.protocol == "TCP" || x.protocol == "UDP" || x.protocol == "SCTP") {
    x.proto_known = ParseProto(x.protocol, &x.proto);
  }
  struct {
    std::string_view addr, port;
    Endpoint* ep;
    const char* what;
  } eps[] = {{f[1], f[2], &x.client, "client"},
             {f[3], f[4], &x.vip, "virtual"},
             {f[5], f[6], &x.dest, "destination"}};
  for (const auto& p : eps) {
    if (!ParseConnAddr(p.addr, &p.ep->addr)) {
      *err = fmt::format("bad {} address '{}'", p.what, p.addr);
      return false;
    }
    uint32_t port;
    if (p.port.size() > 4 || !ParseHex(p.port, uint32_t{0xffff}, &port)) {
      *err = fmt::format("bad {} port '{}' (4 hex digits expected)", p.what, p.port);
      return false;
    }
    p.ep->port = static_cast<uint16_t>(port);
  }
  if (x.client.addr.family != x.vip.addr.family) {
    *err = "client and virtual addresses are of different families";
    return false;
  }
  x.state = std::string(f[7]);
  size_t exp_at = 8;
  if (variant == kConnSync) {
    x.origin = std::string(f[8]);
    exp_at = 9;
  }
  std::string_view exp = f[exp_at];
  if (!ParseDecimal(exp, UINT32_MAX, &x.expires)) {
    *err = fmt::format("bad expires '{}'", exp);
    return false;
  }
  *e = std::move(x);
  return true;
}

const char* kMissingHeader =
    "missing header (a /proc/net/ip_vs_conn snapshot starts with \"Pro "
    "FromIP ...\")";

// Line source over a FILE*, for streaming.
class LineReader {
 public:
  explicit LineReader(FILE* f) : f_(f) {}
  ~LineReader() {
    free(buf_);
    if (f_) fclose(f_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  bool Next(std::string_view* line) {
    ssize_t n = getline(&buf_, &cap_, f_);
    if (n < 0) return false;
    consumed_ += static_cast<uint64_t>(n);
    if (n > 0 && buf_[n - 1] == '\n') --n;
    *line = std::string_view(buf_, static_cast<size_t>(n));
    return true;
  }
  bool failed() const { return ferror(f_) != 0; }
  uint64_t consumed() const { return consumed_; }

 private:
  FILE* f_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
  uint64_t consumed_ = 0;
};

class IpvsConnTraceReader : public TraceReader {
 public:
  IpvsConnTraceReader(FILE* f, std::string name, uint64_t size)
      : lines_(f), name_(std::move(name)), size_(size) {}

  bool Next(TraceFlow* flow) override {
    if (done_) return false;
    std::string_view line;
    while (lines_.Next(&line)) {
      ++lineno_;
      if (variant_ == kNotHeader) {
        variant_ = HeaderVariant(line);
        if (variant_ == kNotHeader) return Fail(kMissingHeader);
        continue;
      }
      if (Blank(line)) continue;
      IpvsConnEntry e;
      std::string err;
      if (!ParseEntry(line, variant_, &e, &err)) return Fail(err);
      if (!e.proto_known || e.is_template()) continue;
      TraceFlow t;
      t.key.proto = e.proto;
      t.key.client = e.client;
      t.key.vip = e.vip;
      t.duration = e.expires;
      *flow = t;
      return true;
    }
    done_ = true;
    if (lines_.failed()) {
      error_ = fmt::format("{}: read error", name_);
    } else if (variant_ == kNotHeader) {
      lineno_ = 1;
      return Fail(kMissingHeader);
    }
    return false;
  }
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return lines_.consumed(); }
  uint64_t size() const override { return size_; }

 private:
  bool Fail(const std::string& what) {
    error_ = fmt::format("{}:{}: {}", name_, lineno_, what);
    done_ = true;
    return false;
  }

  LineReader lines_;
  std::string name_;
  uint64_t size_;
  Variant variant_ = kNotHeader;
  uint64_t lineno_ = 0;
  bool done_ = false;
  std::string error_;
};

}  // namespace

bool IsIpvsConnHeader(const std::string& first_line) {
  return first_line.starts_with("Pro FromIP");
}

bool ParseIpvsConnText(const std::string& text, const std::string& name,
                       std::vector<IpvsConnEntry>* out, std::string* err) {
  std::vector<IpvsConnEntry> entries;
  Variant variant = kNotHeader;
  LineSplitter lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    int lineno = lines.lineno();
    if (variant == kNotHeader) {
      variant = HeaderVariant(line);
      if (variant == kNotHeader) {
        *err = fmt::format("{}:{}: {}", name, lineno, kMissingHeader);
        return false;
      }
      continue;
    }
    if (Blank(line)) continue;
    IpvsConnEntry e;
    std::string what;
    if (!ParseEntry(line, variant, &e, &what)) {
      *err = fmt::format("{}:{}: {}", name, lineno, what);
      return false;
    }
    entries.push_back(std::move(e));
  }
  if (variant == kNotHeader) {
    *err = fmt::format("{}:1: {}", name, kMissingHeader);
    return false;
  }
  *out = std::move(entries);
  return true;
}

bool ParseIpvsConnEntries(const std::string& path, std::vector<IpvsConnEntry>* out,
                          std::string* err) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    *err = fmt::format("{}: cannot open: {}", path, strerror(errno));
    return false;
  }
  // /proc files report size 0: read until EOF.
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  bool read_error = ferror(f) != 0;
  fclose(f);
  if (read_error) {
    *err = fmt::format("{}: read error", path);
    return false;
  }
  return ParseIpvsConnText(text, path, out, err);
}

std::unique_ptr<TraceReader> OpenIpvsConnTrace(const std::string& path, std::string* err) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    *err = fmt::format("{}: cannot open: {}", path, strerror(errno));
    return nullptr;
  }
  struct stat st;
  uint64_t size = fstat(fileno(f), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return std::make_unique<IpvsConnTraceReader>(f, path, size);
}

}  // namespace ipvs_sim
