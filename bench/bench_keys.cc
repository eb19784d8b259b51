// SPDX-License-Identifier: GPL-2.0
#include "bench_keys.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace bench {

std::vector<ClientKey> ZipfClientKeys(size_t n, bool v6, uint64_t seed) {
  // Inverse-CDF sampling of Zipf(1.0) over kClients ranks.
  std::vector<double> cdf(kClients);
  double sum = 0;
  for (size_t r = 0; r < kClients; ++r) {
    sum += 1.0 / double(r + 1);
    cdf[r] = sum;
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, sum);
  std::uniform_int_distribution<uint32_t> port(32768, 60999);
  std::vector<ClientKey> keys(n);
  for (auto& k : keys) {
    size_t rank = std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin();
    // Scatter ranks over the address space so hot clients are not neighbours.
    uint32_t a = static_cast<uint32_t>((rank + 1) * 2654435761u);
    k.v6 = v6;
    if (v6) {
      k.addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0};
      k.addr[12] = a >> 24;
      k.addr[13] = a >> 16;
      k.addr[14] = a >> 8;
      k.addr[15] = a;
    } else {
      k.addr[0] = a >> 24;
      k.addr[1] = a >> 16;
      k.addr[2] = a >> 8;
      k.addr[3] = a;
    }
    k.port = static_cast<uint16_t>(port(rng));
  }
  return keys;
}

}  // namespace bench
