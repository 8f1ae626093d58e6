#pragma once

#include <memory>
#include <optional>
#include <string>

#include "crosstalk/align/selection.h"
#include "crosstalk/serve/batch_queue.h"
#include "crosstalk/serve/options.h"
#include "crosstalk/store/loaded_model.h"

namespace crosstalk::serve {

/// The model a server translates with.
struct ServedModel {
  std::string dir;                           // its model directory (reported by /api/model)
  store::LoadedModel loaded;
  torch::Device device = torch::kCPU;
  std::optional<std::string> reverse_dir;    // --reverse-model: its links are symmetrized with ours
  store::LoadedModel reverse;
  std::optional<align::SymmetrizeMethod> method;  // --symmetrize; else alignment.toml's, else the default
};

/// `crosstalk serve`: the JSON API of docs/serving.md and the
/// embedded page, over HTTP/1.1 (cpp-httplib). Translations and forced alignments go
/// through a BatchQueue: one worker thread runs them in batches.
class Server {
 public:
  Server(ServedModel model, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds options.host:options.port (port 0: any free one) and listens; returns the
  /// port. UserError if it cannot. Logs a warning for a non-loopback address.
  int bind();
  /// Accepts connections until stop(): logs "listening on http://HOST:PORT" first,
  /// one line per request after. Returns once the requests in flight are answered and
  /// the queue has run dry. bind() must have succeeded.
  void run();
  /// From any thread (a signal watcher): refuses new connections and requests (503),
  /// lets the ones in flight finish; run() then returns.
  void stop();

  /// The queue (tests pause it to fill it deterministically).
  BatchQueue& queue();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Whether `host` is a loopback address (127.x.x.x, ::1, localhost).
bool is_loopback(const std::string& host);

}  // namespace crosstalk::serve
