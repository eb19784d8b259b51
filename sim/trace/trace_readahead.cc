// SPDX-License-Identifier: GPL-2.0
#include "trace_readahead.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ipvs_sim {

namespace {

// Batches cycle between two queues: free (for the producer to fill) and
// full (for the consumer). The last full batch carries the end of input.
class ReadAheadReader : public TraceReader {
 public:
  ReadAheadReader(std::unique_ptr<TraceReader> inner, size_t batch)
      : inner_(std::move(inner)), batch_(batch ? batch : 1), size_(inner_->size()) {
    for (int i = 0; i < kBatches; ++i) free_.emplace_back();
    producer_ = std::thread([this] { Produce(); });
  }
  ~ReadAheadReader() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    producer_.join();
  }

  bool Next(TraceFlow* flow) override {
    while (next_ >= current_.size()) {
      if (current_done_) return false;
      Recycle();
    }
    *flow = current_[next_++];
    return true;
  }
  const std::string& error() const override { return error_; }
  uint64_t position() const override { return position_.load(std::memory_order_relaxed); }
  uint64_t size() const override { return size_; }

 private:
  static constexpr int kBatches = 3;

  struct Batch {
    std::vector<TraceFlow> flows;
    bool last = false;
  };

  // Hands the consumed batch back and takes the next full one.
  void Recycle() {
    std::unique_lock<std::mutex> lock(mu_);
    if (consumed_) {
      current_.clear();
      free_.push_back(Batch{std::move(current_), false});
    }
    cv_.notify_all();
    cv_.wait(lock, [this] { return !full_.empty(); });
    Batch b = std::move(full_.front());
    full_.erase(full_.begin());
    current_ = std::move(b.flows);
    current_done_ = b.last;
    consumed_ = true;
    next_ = 0;
    if (b.last) error_ = producer_error_;
  }

  void Produce() {
    for (;;) {
      Batch b;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !free_.empty(); });
        if (stop_) return;
        b = std::move(free_.back());
        free_.pop_back();
      }
      b.flows.resize(batch_);
      size_t n = 0;
      while (n < batch_ && inner_->Next(&b.flows[n])) ++n;
      b.flows.resize(n);
      b.last = n < batch_;
      position_.store(inner_->position(), std::memory_order_relaxed);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (b.last) producer_error_ = inner_->error();
        full_.push_back(std::move(b));
      }
      cv_.notify_all();
      if (n < batch_) return;
    }
  }

  std::unique_ptr<TraceReader> inner_;
  const size_t batch_;
  const uint64_t size_;
  std::atomic<uint64_t> position_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Batch> free_;     // guarded by mu_
  std::vector<Batch> full_;     // guarded by mu_, oldest first
  std::string producer_error_;  // guarded by mu_
  bool stop_ = false;           // guarded by mu_
  std::thread producer_;

  // Consumer side only.
  std::vector<TraceFlow> current_;
  size_t next_ = 0;
  bool current_done_ = false;
  bool consumed_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<TraceReader> ReadAhead(std::unique_ptr<TraceReader> inner, size_t batch) {
  return std::make_unique<ReadAheadReader>(std::move(inner), batch);
}

}  // namespace ipvs_sim
