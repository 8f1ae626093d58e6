// serve::BatchQueue without a model: a runner that records the batches it is given.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <optional>

#include "crosstalk/serve/batch_queue.h"

namespace {

using crosstalk::serve::BatchKey;
using crosstalk::serve::BatchOutput;
using crosstalk::serve::BatchQueue;
using crosstalk::serve::BatchSettings;

// The sentences of every batch the worker ran, in order; each sentence "translates" to itself.
struct Recorder {
  std::mutex mutex;
  std::vector<std::vector<std::string>> batches;
  BatchOutput operator()(const BatchKey&, const std::vector<std::string>& sources, const std::vector<std::string>&) {
    std::lock_guard<std::mutex> lock(mutex);
    batches.push_back(sources);
    BatchOutput out;
    for (const auto& s : sources) {
      out.translations.emplace_back();
      out.translations.back().text = s;
    }
    return out;
  }
};

// Far longer than the worker takes for a batch, far shorter than the batch wait: a request
// that is ready within it was not kept waiting for company.
constexpr auto kReady = std::chrono::seconds(20);
constexpr int64_t kWaitMs = 600000;

BatchSettings long_wait() {
  BatchSettings s;
  s.batch_wait_ms = kWaitMs;
  return s;
}

}  // namespace

TEST_CASE("batch queue: a lone request runs at once, not after the batch wait", "[batch_queue]") {
  Recorder recorder;
  BatchQueue queue(long_wait(), [&](const BatchKey& k, const auto& s, const auto& t) { return recorder(k, s, t); });
  auto done = queue.submit(BatchKey{}, {"ein hund"});
  REQUIRE(done.wait_for(kReady) == std::future_status::ready);
  CHECK(done.get().translations.at(0).text == "ein hund");
  std::lock_guard<std::mutex> lock(recorder.mutex);
  CHECK(recorder.batches == std::vector<std::vector<std::string>>{{"ein hund"}});
}

TEST_CASE("batch queue: the worker waits for a request on its way and runs both as one batch", "[batch_queue]") {
  Recorder recorder;
  BatchQueue queue(long_wait(), [&](const BatchKey& k, const auto& s, const auto& t) { return recorder(k, s, t); });
  std::optional<BatchQueue::Arrival> second(std::in_place, queue);  // being parsed
  auto first = queue.submit(BatchKey{}, {"ein hund"});
  // The worker holds the first request for the second: nothing runs while it is on its way.
  CHECK(first.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  auto other = queue.submit(BatchKey{}, {"eine katze"}, {}, &*second);
  REQUIRE(first.wait_for(kReady) == std::future_status::ready);
  REQUIRE(other.wait_for(kReady) == std::future_status::ready);
  CHECK(first.get().translations.at(0).text == "ein hund");
  CHECK(other.get().translations.at(0).text == "eine katze");
  second.reset();  // ended at submit: its end changes nothing
  std::lock_guard<std::mutex> lock(recorder.mutex);
  CHECK(recorder.batches == std::vector<std::vector<std::string>>{{"ein hund", "eine katze"}});
  CHECK(queue.batches_run() == 1);
}

TEST_CASE("batch queue: a request that never arrives (refused while parsed) ends the wait", "[batch_queue]") {
  Recorder recorder;
  BatchQueue queue(long_wait(), [&](const BatchKey& k, const auto& s, const auto& t) { return recorder(k, s, t); });
  std::optional<BatchQueue::Arrival> refused(std::in_place, queue);
  auto first = queue.submit(BatchKey{}, {"ein hund"});
  CHECK(first.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  refused.reset();  // e.g. its JSON was bad: it never reaches the queue
  REQUIRE(first.wait_for(kReady) == std::future_status::ready);
  std::lock_guard<std::mutex> lock(recorder.mutex);
  CHECK(recorder.batches == std::vector<std::vector<std::string>>{{"ein hund"}});
}

TEST_CASE("batch queue: a request refused by a full queue has arrived all the same", "[batch_queue]") {
  Recorder recorder;
  BatchSettings settings = long_wait();
  settings.max_queue = 1;
  BatchQueue queue(settings, [&](const BatchKey& k, const auto& s, const auto& t) { return recorder(k, s, t); });
  queue.pause();
  auto first = queue.submit(BatchKey{}, {"ein hund"});
  {
    BatchQueue::Arrival arrival(queue);
    CHECK_THROWS_WITH(queue.submit(BatchKey{}, {"eine katze"}, {}, &arrival), Catch::Contains("--max-queue"));
    queue.resume();
    // Still in scope, but it ended when it was refused: the worker does not wait for it.
    REQUIRE(first.wait_for(kReady) == std::future_status::ready);
  }
  std::lock_guard<std::mutex> lock(recorder.mutex);
  CHECK(recorder.batches == std::vector<std::vector<std::string>>{{"ein hund"}});
}
