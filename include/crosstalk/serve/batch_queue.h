#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crosstalk/align/aligner.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/serve/options.h"

namespace crosstalk::serve {

/// Which requests can run as one batch: all translations with the same beam, n-best and
/// number of next-word alternatives (completions), or all forced alignments.
struct BatchKey {
  bool align = false;
  int64_t beam = 1, nbest = 1;
  int64_t alternatives = 0;  // > 0: /api/complete, this many next words a sentence
  bool operator==(const BatchKey& o) const {
    return align == o.align && beam == o.beam && nbest == o.nbest && alternatives == o.alternatives;
  }
};

/// What one batch (or one request's share of it) gives, one entry per sentence:
/// translations (translate) or attention records (align).
struct BatchOutput {
  std::vector<search::Translation> translations;   // translate
  std::vector<align::PairAlignment> alignments;     // align: each pair's; translate: each best translation's
  std::vector<std::vector<search::Alternative>> alternatives;  // complete: each sentence's next words
};

/// Runs one batch: the sentences of every gathered request, in order; `targets` are the
/// targets (align) or the target prefixes, one per source, "" = none (translate).
using BatchRunner = std::function<BatchOutput(const BatchKey& key, const std::vector<std::string>& sources,
                                              const std::vector<std::string>& targets)>;

/// The bounded request queue and its one worker thread. The worker takes the oldest
/// request; while other requests are arriving (an Arrival is alive: their handlers are
/// reading them) it waits up to batch_wait_ms for more of its kind (until max_batch
/// sentences are there); a lone request runs at once. It runs them together as one batch,
/// and gives each request its own share of the output, in its own order. A request that
/// finds max_queue requests waiting is refused at once (ApiError 503), as is any request
/// after stop().
class BatchQueue {
 public:
  /// A request on its way into the queue (its handler is parsing it): the worker waits for
  /// it to batch with. It ends at submit() or when destroyed, whichever comes first.
  class Arrival {
   public:
    explicit Arrival(BatchQueue& queue);
    ~Arrival();
    Arrival(const Arrival&) = delete;
    Arrival& operator=(const Arrival&) = delete;

   private:
    friend class BatchQueue;
    void end_locked();  // the queue's mutex held
    BatchQueue* queue_;
    bool live_ = true;
  };

  BatchQueue(BatchSettings settings, BatchRunner runner);
  ~BatchQueue();  // stop()
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  /// Queues one request (its sentences stay together); the future gives its output,
  /// or rethrows what the runner threw. ApiError 503 when full or stopped.
  std::future<BatchOutput> submit(const BatchKey& key, std::vector<std::string> sources,
                                  std::vector<std::string> targets = {}, Arrival* arrival = nullptr);
  /// Refuses new requests, runs those already queued, joins the worker.
  void stop();

  /// Requests waiting (not yet taken by the worker).
  size_t queued() const;
  /// Test hooks: while paused the worker takes nothing, so requests pile up deterministically.
  void pause();
  void resume();
  /// Blocks until at least n requests are waiting.
  void wait_until_queued(size_t n) const;
  /// Batches run so far and the sentences in them (for the tests and the log).
  int64_t batches_run() const;

 private:
  struct Job {
    BatchKey key;
    std::vector<std::string> sources, targets;
    std::promise<BatchOutput> done;
  };
  void work();
  std::vector<std::unique_ptr<Job>> take_batch(std::unique_lock<std::mutex>& lock);
  int64_t sentences_of(const BatchKey& key) const;  // waiting, of that kind (lock held)
  void run_batch(std::vector<std::unique_ptr<Job>>& jobs);

  BatchSettings settings_;
  BatchRunner runner_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false, paused_ = false;
  int64_t arriving_ = 0;  // live Arrivals
  int64_t batches_ = 0;
  std::thread worker_;
};

}  // namespace crosstalk::serve
