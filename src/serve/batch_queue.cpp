#include "crosstalk/serve/batch_queue.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "crosstalk/common/allocator.h"
#include "crosstalk/common/threads.h"
#include "crosstalk/serve/api.h"

namespace crosstalk::serve {

BatchQueue::BatchQueue(BatchSettings settings, BatchRunner runner)
    : settings_(settings), runner_(std::move(runner)), worker_([this] { work(); }) {}

BatchQueue::~BatchQueue() { stop(); }

BatchQueue::Arrival::Arrival(BatchQueue& queue) : queue_(&queue) {
  std::lock_guard<std::mutex> lock(queue_->mutex_);
  ++queue_->arriving_;
}

BatchQueue::Arrival::~Arrival() {
  {
    std::lock_guard<std::mutex> lock(queue_->mutex_);
    if (!live_) return;
    end_locked();
  }
  queue_->changed_.notify_all();  // a worker waiting for company need not wait for this one
}

void BatchQueue::Arrival::end_locked() {
  if (live_) --queue_->arriving_;
  live_ = false;
}

std::future<BatchOutput> BatchQueue::submit(const BatchKey& key, std::vector<std::string> sources,
                                            std::vector<std::string> targets, Arrival* arrival) {
  auto job = std::make_unique<Job>();
  job->key = key;
  job->sources = std::move(sources);
  job->targets = std::move(targets);
  auto future = job->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (arrival) arrival->end_locked();  // it has arrived, refused or not
    if (stopping_) throw ApiError(503, "the server is shutting down");
    if (static_cast<int64_t>(queue_.size()) >= settings_.max_queue)
      throw ApiError(503, "the server is busy: " + std::to_string(queue_.size()) +
                              " requests are waiting (--max-queue); try again later");
    queue_.push_back(std::move(job));
  }
  changed_.notify_all();
  return future;
}

void BatchQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

size_t BatchQueue::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void BatchQueue::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_ = true;
}

void BatchQueue::resume() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = false;
  }
  changed_.notify_all();
}

void BatchQueue::wait_until_queued(size_t n) const {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() >= n; });
}

int64_t BatchQueue::batches_run() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return batches_;
}

int64_t BatchQueue::sentences_of(const BatchKey& key) const {
  int64_t n = 0;
  for (const auto& job : queue_)
    if (job->key == key) n += static_cast<int64_t>(job->sources.size());
  return n;
}

std::vector<std::unique_ptr<BatchQueue::Job>> BatchQueue::take_batch(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [&] { return (stopping_ || !paused_) && (stopping_ || !queue_.empty()); });
  if (queue_.empty()) return {};  // stopping, and nothing left to run
  const BatchKey key = queue_.front()->key;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.batch_wait_ms);
  // Wait only for requests already on their way: a lone request is not kept waiting.
  changed_.wait_until(lock, deadline, [&] {
    return stopping_ || arriving_ == 0 || sentences_of(key) >= settings_.max_batch;
  });
  // The oldest request always; then every other of its kind that still fits, oldest first.
  std::vector<std::unique_ptr<Job>> jobs;
  int64_t sentences = 0;
  for (auto it = queue_.begin(); it != queue_.end();) {
    const auto n = static_cast<int64_t>((*it)->sources.size());
    if ((*it)->key == key && (jobs.empty() || sentences + n <= settings_.max_batch)) {
      sentences += n;
      jobs.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  ++batches_;
  return jobs;
}

void BatchQueue::run_batch(std::vector<std::unique_ptr<Job>>& jobs) {
  std::vector<std::string> sources, targets;
  for (const auto& job : jobs) {
    sources.insert(sources.end(), job->sources.begin(), job->sources.end());
    targets.insert(targets.end(), job->targets.begin(), job->targets.end());
  }
  BatchOutput out;
  try {
    out = runner_(jobs.front()->key, sources, targets);
    const auto fits = [&](size_t n) { return n == 0 || n == sources.size(); };
    if (!fits(out.translations.size()) || !fits(out.alignments.size()) || !fits(out.alternatives.size()) ||
        out.translations.size() + out.alignments.size() == 0)
      throw std::logic_error("the batch gave " + std::to_string(out.translations.size()) + " translations and " +
                             std::to_string(out.alignments.size()) + " alignments for " +
                             std::to_string(sources.size()) + " sentences");
  } catch (...) {
    for (auto& job : jobs) job->done.set_exception(std::current_exception());
    return;
  }
  // Each request gets its own consecutive slice, in its own order.
  size_t at = 0;
  for (auto& job : jobs) {
    BatchOutput mine;
    const size_t n = job->sources.size();
    if (!out.translations.empty())
      mine.translations.assign(std::make_move_iterator(out.translations.begin() + at),
                               std::make_move_iterator(out.translations.begin() + at + n));
    if (!out.alignments.empty())
      mine.alignments.assign(std::make_move_iterator(out.alignments.begin() + at),
                             std::make_move_iterator(out.alignments.begin() + at + n));
    if (!out.alternatives.empty())
      mine.alternatives.assign(std::make_move_iterator(out.alternatives.begin() + at),
                               std::make_move_iterator(out.alternatives.begin() + at + n));
    at += n;
    job->done.set_value(std::move(mine));
  }
}

void BatchQueue::work() {
  init_compute_thread();  // before this thread's first tensor operation (common/threads.h)
  torch::NoGradGuard no_grad;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    auto jobs = take_batch(lock);
    if (jobs.empty()) return;
    lock.unlock();
    changed_.notify_all();  // wait_until_queued sees the queue shrink too
    run_batch(jobs);
    jobs.clear();
    lock.lock();
    if (queue_.empty()) {  // idle: hand back what the batch freed (without the lock, so requests still queue)
      lock.unlock();
      return_freed_memory();
      lock.lock();
    }
  }
}

}  // namespace crosstalk::serve
