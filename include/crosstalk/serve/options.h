#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace crosstalk::serve {

/// What the server accepts from one request (`crosstalk serve` flags).
struct RequestLimits {
  size_t max_body = 1 << 20;        // --max-body: bytes of a request body (413 beyond)
  int64_t max_input_tokens = 256;   // --max-input-tokens: SentencePiece pieces of one sentence (400 beyond)
  int64_t max_batch = 32;           // --max-batch: texts of one request (400 beyond), sentences of one batch
  int64_t max_beam = 16;            // "beam" 1..max_beam
};

/// How requests are gathered into batches (serve/batch_queue.h).
struct BatchSettings {
  int64_t max_queue = 64;       // --max-queue: requests waiting; one more gets 503 at once
  int64_t max_batch = 32;       // --max-batch: sentences translated together
  int64_t batch_wait_ms = 5;    // --batch-wait-ms: how long the first request of a batch waits for company
};

/// `crosstalk serve`'s settings.
struct ServerOptions {
  std::string host = "127.0.0.1";  // --host
  int port = 8080;                 // --port (0: any free port)
  int64_t timeout_s = 30;          // --timeout-s: read and write timeout of a connection
  RequestLimits limits;
  BatchSettings batching;
};

}  // namespace crosstalk::serve
