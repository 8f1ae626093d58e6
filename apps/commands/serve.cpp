// crosstalk serve: translations, forced alignments and the attention explorer over HTTP.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "commands/attention_output.h"
#include "commands/command.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/interrupt.h"
#include "crosstalk/serve/server.h"

namespace crosstalk::app {

namespace {

void add_flags(CLI::App& app, serve::ServerOptions& o) {
  app.add_option("--host", o.host, "address to listen on (not a loopback one: anyone who reaches it may use it)")
      ->capture_default_str();
  app.add_option("--port", o.port, "TCP port (0: any free port; the 'listening on' line says which)")
      ->capture_default_str();
  app.add_option("--max-queue", o.batching.max_queue, "requests that may wait; one more gets 503 at once")
      ->capture_default_str();
  app.add_option("--max-body", o.limits.max_body, "largest request body in bytes (413 beyond)")->capture_default_str();
  app.add_option("--max-input-tokens", o.limits.max_input_tokens, "most SentencePiece pieces per sentence (400 beyond)")
      ->capture_default_str();
  app.add_option("--max-batch", o.batching.max_batch, "most sentences translated together, and per request")
      ->capture_default_str();
  app.add_option("--batch-wait-ms", o.batching.batch_wait_ms, "how long a request waits at most for requests being parsed, to batch with them")
      ->capture_default_str();
  app.add_option("--timeout-s", o.timeout_s, "read and write timeout of a connection, seconds")->capture_default_str();
}

void validate(serve::ServerOptions& o) {
  if (o.port < 0 || o.port > 65535) throw UserError("--port must be between 0 and 65535");
  if (o.batching.max_queue <= 0) throw UserError("--max-queue must be positive");
  if (o.limits.max_body == 0) throw UserError("--max-body must be positive");
  if (o.limits.max_input_tokens <= 0) throw UserError("--max-input-tokens must be positive");
  if (o.batching.max_batch <= 0) throw UserError("--max-batch must be positive");
  if (o.batching.batch_wait_ms < 0) throw UserError("--batch-wait-ms must not be negative");
  if (o.timeout_s <= 0) throw UserError("--timeout-s must be positive");
  o.limits.max_batch = o.batching.max_batch;
}

serve::ServedModel load(const std::string& model_dir, const ReverseFlags& reverse_flags, const torch::Device& device) {
  serve::ServedModel served;
  served.dir = model_dir;
  served.device = device;
  served.loaded = store::load_model_dir(model_dir);
  served.loaded.model->to(device);
  const auto& o = served.loaded.model->options();
  spdlog::info("model: {} ({} pieces, {} encoder + {} decoder layers x {} heads), device {}", served.loaded.weights,
               served.loaded.vocab.size(), o.encoder_layers(), o.decoder_layers(), o.heads(), device.str());
  if (!reverse_flags.method_name.empty()) served.method = reverse_flags.method();
  if (reverse_flags.given()) {
    served.reverse_dir = reverse_flags.model_dir;
    served.reverse = reverse_flags.load(device);
    spdlog::info("reverse model: {}: the links of every result are symmetrized with it", served.reverse.weights);
  }
  return served;
}

}  // namespace

int run_serve(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Serve translations, forced alignments and the cross-attention explorer page over HTTP "
               "(JSON API: docs/serving.md). Requests arriving together are translated as one batch. "
               "SIGINT / SIGTERM: the requests in flight are answered, then it exits with 0.",
               program);
  app.set_config("--config", "", "TOML file with any of these flags");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.get_formatter()->column_width(34);
  std::string model_dir, device = "auto";
  int threads = 2;
  serve::ServerOptions options;
  app.add_option("--model,-m", model_dir, "model directory written by `crosstalk train`")->required();
  ReverseFlags reverse_flags;
  reverse_flags.add_to(app, "a model trained the other way (target->source): every result's links are symmetrized "
                            "from both directions (--symmetrize, else the model's alignment.toml)");
  add_flags(app, options);
  app.add_option("--device", device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app.add_option("--threads", threads, "CPU threads for LibTorch/BLAS")->capture_default_str();
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  validate(options);
  const auto dev = resolve_device(device);
  // A server runs for days on batches of every size: keeping what each frees would keep
  // the peak of the largest, and its RSS would creep up with them.
  setup_runtime(threads, Memory::kReturnFreed);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hung up is an error on its socket, not the end of the server
  serve::Server server(load(model_dir, reverse_flags, dev), options);
  InterruptScope scope("answering the requests in flight, then stopping");
  server.bind();
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      if (interrupt_requested()) server.stop();  // again until run() returns: a stop before it listens is lost
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  server.run();
  done = true;
  watcher.join();
  if (interrupt_requested()) spdlog::info("stopped ({})", interrupt_signal() == SIGINT ? "SIGINT" : "SIGTERM");
  return 0;
}

}  // namespace crosstalk::app
