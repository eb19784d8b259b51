// SPDX-License-Identifier: GPL-2.0
#include "trace_pcap.h"

#include <fmt/format.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <cstring>

namespace ipvs_sim {

namespace {

// Link types by their DLT_/LINKTYPE_ numbers (some DLT_ names vary by OS).
constexpr int kLinkNull = 0;
constexpr int kLinkEthernet = 1;
constexpr int kLinkRawA = 12;   // DLT_RAW on most systems
constexpr int kLinkRawB = 14;   // DLT_RAW on OpenBSD
constexpr int kLinkRaw = 101;   // LINKTYPE_RAW
constexpr int kLinkSll = 113;   // DLT_LINUX_SLL
constexpr int kLinkIpv4 = 228;  // DLT_IPV4
constexpr int kLinkIpv6 = 229;  // DLT_IPV6
constexpr int kLinkSll2 = 276;  // DLT_LINUX_SLL2

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;

constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

bool SupportedLink(int lt) {
  switch (lt) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkRawA:
    case kLinkRawB:
    case kLinkRaw:
    case kLinkSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkSll2:
      return true;
    default:
      return false;
  }
}

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// What one packet says about its flow.
struct PacketInfo {
  FlowKey key;  // as sent: client = source
  uint64_t ip_bytes = 0;
  uint8_t tcp_flags = 0;
};

// Finds the IP header: offset into data, or -1 if not IP.
int IpOffset(int linktype, const uint8_t* d, uint32_t len) {
  switch (linktype) {
    case kLinkEthernet: {
      if (len < 14) return -1;
      uint32_t off = 12;
      uint16_t type = Be16(d + off);
      while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {
        off += 4;
        type = Be16(d + off);
      }
      if (type != kEtherIpv4 && type != kEtherIpv6) return -1;
      return static_cast<int>(off + 2);
    }
    case kLinkSll:
      if (len < 16) return -1;
      return Be16(d + 14) == kEtherIpv4 || Be16(d + 14) == kEtherIpv6 ? 16 : -1;
    case kLinkSll2:
      if (len < 20) return -1;
      return Be16(d) == kEtherIpv4 || Be16(d) == kEtherIpv6 ? 20 : -1;
    case kLinkNull:
      return len >= 4 ? 4 : -1;  // the IP version nibble decides below
    default:
      return 0;  // raw IP
  }
}

// Parses IP and the transport ports. False for anything not TCP/UDP/SCTP
// with ports in the captured bytes (non-first fragments included).
bool ParsePacket(int linktype, const uint8_t* d, uint32_t caplen, PacketInfo* out) {
  int off = IpOffset(linktype, d, caplen);
  if (off < 0 || static_cast<uint32_t>(off) >= caplen) return false;
  const uint8_t* ip = d + off;
  uint32_t len = caplen - static_cast<uint32_t>(off);
  int version = ip[0] >> 4;
  uint8_t proto;
  const uint8_t* l4;
  uint32_t l4len;
  if (version == 4) {
    if (len < 20) return false;
    uint32_t ihl = (ip[0] & 0x0f) * 4u;
    if (ihl < 20 || len < ihl) return false;
    if (Be16(ip + 6) & 0x1fff) return false;  // not the first fragment
    proto = ip[9];
    out->key.client.addr.family = Family::kV4;
    out->key.vip.addr.family = Family::kV4;
    std::memcpy(out->key.client.addr.bytes.data(), ip + 12, 4);
    std::memcpy(out->key.vip.addr.bytes.data(), ip + 16, 4);
    out->ip_bytes = Be16(ip + 2);
    l4 = ip + ihl;
    l4len = len - ihl;
  } else if (version == 6) {
    if (len < 40) return false;
    out->key.client.addr.family = Family::kV6;
    out->key.vip.addr.family = Family::kV6;
    std::memcpy(out->key.client.addr.bytes.data(), ip + 8, 16);
    std::memcpy(out->key.vip.addr.bytes.data(), ip + 24, 16);
    out->ip_bytes = Be16(ip + 4) + 40u;
    proto = ip[6];
    uint32_t pos = 40;
    for (int hops = 0; hops < 8; ++hops) {
      if (proto == 0 || proto == 43 || proto == 60) {  // hop-by-hop, routing, dest opts
        if (len < pos + 2) return false;
        uint8_t next = ip[pos];
        pos += (ip[pos + 1] + 1u) * 8;
        proto = next;
      } else if (proto == 44) {  // fragment
        if (len < pos + 8) return false;
        if (Be16(ip + pos + 2) & 0xfff8) return false;  // not the first fragment
        proto = ip[pos];
        pos += 8;
      } else if (proto == 51) {  // AH
        if (len < pos + 2) return false;
        uint8_t next = ip[pos];
        pos += (ip[pos + 1] + 2u) * 4;
        proto = next;
      } else {
        break;
      }
    }
    if (len < pos) return false;
    l4 = ip + pos;
    l4len = len - pos;
  } else {
    return false;
  }
  if (proto == 6) {
    out->key.proto = Proto::kTcp;
    if (l4len < 14) return false;
    out->tcp_flags = l4[13];
  } else if (proto == 17) {
    out->key.proto = Proto::kUdp;
  } else if (proto == 132) {
    out->key.proto = Proto::kSctp;
  } else {
    return false;
  }
  if (l4len < 4) return false;
  out->key.client.port = Be16(l4);
  out->key.vip.port = Be16(l4 + 2);
  return true;
}

FlowKey Reverse(const FlowKey& k) {
  FlowKey r = k;
  r.client = k.vip;
  r.vip = k.client;
  return r;
}

}  // namespace

std::string VipFilter(const std::vector<TraceVip>& vips) {
  std::string out;
  for (const TraceVip& v : vips) {
    std::string proto = v.proto == Proto::kTcp ? "tcp" : v.proto == Proto::kUdp ? "udp" : "sctp";
    std::string addr = v.ep.addr.ToString();
    for (const char* dir : {"dst", "src"}) {
      if (!out.empty()) out += " or ";
      out += fmt::format("({} and {} host {}", proto, dir, addr);
      if (v.ep.port != 0) out += fmt::format(" and {} port {}", dir, v.ep.port);
      out += ")";
    }
  }
  return out;
}

std::unique_ptr<PcapTraceReader> PcapTraceReader::OpenLive(const std::string& iface,
                                                           const PcapTraceOptions& opts,
                                                           std::string* err) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap* p = pcap_create(iface.c_str(), errbuf);
  if (!p) {
    *err = fmt::format("{}: {}", iface, errbuf);
    return nullptr;
  }
  // Headers are all a flow needs; immediate mode and a short timeout let
  // idle flows expire and Stop() take effect while no packet arrives.
  pcap_set_snaplen(p, 256);
  pcap_set_promisc(p, 0);
  pcap_set_timeout(p, 100);
  pcap_set_immediate_mode(p, 1);
  pcap_set_buffer_size(p, 16 << 20);
  int r = pcap_activate(p);
  if (r < 0) {
    std::string why = r == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(r);
    if (r == PCAP_ERROR_PERM_DENIED || r == PCAP_ERROR_NO_SUCH_DEVICE) {
      std::string more = pcap_geterr(p);
      if (!more.empty() && more != why) why += fmt::format(" ({})", more);
    }
    *err = fmt::format("{}: cannot capture: {}", iface, why);
    pcap_close(p);
    return nullptr;
  }
  int lt = pcap_datalink(p);
  if (!SupportedLink(lt)) {
    const char* name = pcap_datalink_val_to_name(lt);
    *err = fmt::format("{}: unsupported link type {} ({})", iface, name ? name : "unknown", lt);
    pcap_close(p);
    return nullptr;
  }
  std::unique_ptr<PcapTraceReader> reader(new PcapTraceReader(p, iface, 0, lt, opts));
  reader->live_capture_ = true;
  reader->position_ = 0;
  if (!reader->SetFilter(true, err)) return nullptr;
  return reader;
}

bool PcapTraceReader::SetFilter(bool live, std::string* err) {
  for (const TraceVip& v : opts_.vips) vip_set_.insert({v.proto, v.ep});
  if (opts_.vips.empty()) return true;
  std::string expr = VipFilter(opts_.vips);
  // BPF's offsets assume an untagged frame: "vlan" moves them past one tag
  // (802.1Q or 802.1ad; on a live Linux interface it also matches the tag
  // the driver took off into the packet's metadata).
  if (linktype_ == kLinkEthernet) expr = fmt::format("({}) or (vlan and ({}))", expr, expr);
  filter_ = new bpf_program{};
  if (pcap_compile(pcap_, filter_, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    *err = fmt::format("{}: the VIP filter '{}': {}", name_, expr, pcap_geterr(pcap_));
    delete filter_;
    filter_ = nullptr;
    return false;
  }
  have_filter_ = true;
  if (live && pcap_setfilter(pcap_, filter_) != 0) {
    *err = fmt::format("{}: setting the VIP filter: {}", name_, pcap_geterr(pcap_));
    return false;
  }
  return true;
}

bool PcapTraceReader::ToVip(const FlowKey& k) const {
  if (vip_set_.count({k.proto, k.vip})) return true;
  Endpoint any = k.vip;
  any.port = 0;
  return vip_set_.count({k.proto, any}) != 0;
}

double PcapTraceReader::WallNow() const {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec - first_sec_) +
         static_cast<double>(tv.tv_usec - first_usec_) * 1e-6;
}

void PcapTraceReader::Stop() { pcap_breakloop(pcap_); }

uint64_t PcapTraceReader::dropped() const {
  struct pcap_stat st;
  if (!live_capture_ || pcap_stats(pcap_, &st) != 0) return 0;
  return st.ps_drop;
}

std::unique_ptr<PcapTraceReader> PcapTraceReader::Open(const std::string& path,
                                                       const PcapTraceOptions& opts,
                                                       std::string* err) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap* p = pcap_open_offline(path.c_str(), errbuf);
  if (!p) {
    *err = fmt::format("{}: {}", path, errbuf);
    return nullptr;
  }
  int lt = pcap_datalink(p);
  if (!SupportedLink(lt)) {
    const char* name = pcap_datalink_val_to_name(lt);
    *err = fmt::format(
        "{}: unsupported link type {} ({}); Ethernet, raw IP or Linux cooked "
        "captures are read",
        path, name ? name : "unknown", lt);
    pcap_close(p);
    return nullptr;
  }
  struct stat st;
  uint64_t size = stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  std::unique_ptr<PcapTraceReader> reader(new PcapTraceReader(p, path, size, lt, opts));
  if (!reader->SetFilter(false, err)) return nullptr;
  return reader;
}

PcapTraceReader::PcapTraceReader(pcap* p, std::string name, uint64_t size, int linktype,
                                 const PcapTraceOptions& opts)
    : pcap_(p), name_(std::move(name)), size_(size), linktype_(linktype), opts_(opts) {
  position_ = 24;  // the pcap file header
}

PcapTraceReader::~PcapTraceReader() {
  if (filter_) {
    pcap_freecode(filter_);
    delete filter_;
  }
  pcap_close(pcap_);
}

bool PcapTraceReader::Next(TraceFlow* flow) {
  for (;;) {
    if (!pending_.empty() && pending_.front().done) {
      *flow = pending_.front().flow;
      pending_.pop_front();
      ++base_;
      return true;
    }
    if (!pending_.empty() && pending_.size() > opts_.max_pending) {
      auto it = live_.find(pending_.front().flow.key);
      if (it != live_.end() && it->second.seq == base_) {
        Finish(it);
        ++truncated_;
        continue;
      }
    }
    if (eof_) {
      if (pending_.empty()) return false;
      while (!live_.empty()) Finish(live_.begin());
      continue;
    }
    if (!ReadPacket()) {
      if (!error_.empty()) return false;
      eof_ = true;
    }
  }
}

bool PcapTraceReader::ReadPacket() {
  struct pcap_pkthdr* hdr;
  const u_char* data;
  int r = pcap_next_ex(pcap_, &hdr, &data);
  if (r == 0) {  // a live capture's timeout: no packet for a while
    if (have_first_) {
      double t = WallNow();
      if (t > now_) now_ = t;
      ExpireIdle(now_);
    }
    return true;
  }
  if (r == PCAP_ERROR_BREAK) return false;  // end of file, or Stop()
  if (r != 1) {
    error_ = fmt::format("{}: packet {}: {}", name_, packets_ + 1, pcap_geterr(pcap_));
    return false;
  }
  ++packets_;
  position_ += 16 + hdr->caplen;
  // Relative to the first packet in integer seconds first: epoch seconds
  // in a double would leave only about 0.1 us of precision.
  if (!have_first_) {
    have_first_ = true;
    first_sec_ = hdr->ts.tv_sec;
    first_usec_ = hdr->ts.tv_usec;
  }
  double ts = static_cast<double>(hdr->ts.tv_sec - first_sec_) +
              static_cast<double>(hdr->ts.tv_usec - first_usec_) * 1e-6;
  if (ts > now_) now_ = ts;  // clamp timestamps that go backwards
  if (have_filter_ && !live_capture_ && !pcap_offline_filter(filter_, hdr, data)) {
    ++not_vip_;
    ExpireIdle(now_);
    return true;
  }
  HandlePacket(now_, data, hdr->caplen);
  return true;
}

void PcapTraceReader::ExpireIdle(double now) {
  while (!open_lru_.empty()) {
    auto it = live_.find(open_lru_.front());
    if (now - it->second.last < opts_.idle_timeout) break;
    Finish(it);
  }
  double udp_timeout = opts_.udp_idle_timeout < 0 ? opts_.idle_timeout : opts_.udp_idle_timeout;
  while (!udp_lru_.empty()) {
    auto it = live_.find(udp_lru_.front());
    if (now - it->second.last < udp_timeout) break;
    Finish(it);
  }
  while (!closed_lru_.empty()) {
    auto it = live_.find(closed_lru_.front());
    if (now - it->second.last < opts_.close_timeout) break;
    Finish(it);
  }
}

void PcapTraceReader::Finish(std::unordered_map<FlowKey, Live, FlowKeyHash>::iterator it) {
  Live& l = it->second;
  pending_[l.seq - base_].done = true;
  l.lru_list->erase(l.lru);
  live_.erase(it);
}

void PcapTraceReader::HandlePacket(double now, const uint8_t* data, uint32_t caplen) {
  ExpireIdle(now);
  PacketInfo pkt;
  if (!ParsePacket(linktype_, data, caplen, &pkt)) {
    ++skipped_;
    return;
  }
  bool from_client = true;
  auto it = live_.find(pkt.key);
  if (it == live_.end()) {
    it = live_.find(Reverse(pkt.key));
    from_client = false;
  }
  bool syn = pkt.key.proto == Proto::kTcp && (pkt.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
  if (it != live_.end() && syn && it->second.lru_list == &closed_lru_) {
    Finish(it);  // the tuple is reused by a new connection
    it = live_.end();
  }
  if (it == live_.end()) {
    if (!vip_set_.empty() && !ToVip(pkt.key)) {
      ++not_vip_;
      return;
    }
    if (opts_.syn_starts_tcp && pkt.key.proto == Proto::kTcp && !syn) {
      ++no_syn_;
      return;
    }
    Pending p;
    p.flow.start = now;
    p.flow.key = pkt.key;
    pending_.push_back(p);
    Live l;
    l.seq = base_ + pending_.size() - 1;
    l.lru_list = pkt.key.proto == Proto::kUdp ? &udp_lru_ : &open_lru_;
    l.lru_list->push_back(pkt.key);
    l.lru = std::prev(l.lru_list->end());
    it = live_.emplace(pkt.key, l).first;
    from_client = true;
  }
  Live& l = it->second;
  TraceFlow& f = pending_[l.seq - base_].flow;
  ++f.packets;
  f.bytes += pkt.ip_bytes;
  f.duration = now - f.start;
  l.last = now;
  if (pkt.key.proto == Proto::kTcp) {
    if (pkt.tcp_flags & kTcpRst) l.rst = true;
    if (pkt.tcp_flags & kTcpFin) (from_client ? l.fin_client : l.fin_server) = true;
  }
  bool closed = l.rst || (l.fin_client && l.fin_server);
  std::list<FlowKey>* to = closed ? &closed_lru_ : l.lru_list;
  to->splice(to->end(), *l.lru_list, l.lru);  // iterators stay valid across splice
  l.lru_list = to;
}

}  // namespace ipvs_sim
