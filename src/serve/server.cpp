#include "crosstalk/serve/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "crosstalk/align/aligner.h"
#include "crosstalk/align/attention_capture.h"
#include "crosstalk/align/sentence_json.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/json_text.h"
#include "crosstalk/common/threads.h"
#include "crosstalk/serve/api.h"
#include "crosstalk/serve/model_info.h"
#include "crosstalk/serve/page.h"
#include "crosstalk/serve/result.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/store/saved_selection.h"

namespace crosstalk::serve {

namespace {

using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json";

// When the request on this connection thread began (set before routing, read by the logger).
thread_local std::optional<Clock::time_point> t_request_start;

// Floats at 6 significant digits (common/json_text.h).
void send_json(httplib::Response& res, const ordered_json& j) { res.set_content(json_text(j), kJson); }

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(error_body(message), kJson);
}

// Handler threads are httplib's: they build the Results from small tensors, on one thread
// each (common/threads.h, init_light_thread), once.
void init_handler_thread() {
  thread_local bool done = false;
  if (!done) init_light_thread();
  done = true;
}

// The methods each known path answers (others get 405).
const char* allowed_methods(const std::string& path) {
  if (path == "/api/translate" || path == "/api/complete" || path == "/api/align") return "POST";
  if (path == "/health" || path == "/api/model" || path == "/api/train_log" || path == "/") return "GET, HEAD";
  for (const auto& asset : page_assets())
    if (asset.path == path) return "GET, HEAD";
  return nullptr;
}

// httplib's route patterns are regular expressions: a file's path, matched literally.
std::string literal_pattern(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct Server::Impl {
  Impl(ServedModel served, ServerOptions opts)
      : model(std::move(served)),
        options(opts),
        translator(model.loaded.model, model.loaded.vocab, model.device),
        queue(options.batching, [this](const BatchKey& key, const std::vector<std::string>& sources,
                                       const std::vector<std::string>& targets) { return run(key, sources, targets); }) {}

  BatchOutput run(const BatchKey& key, const std::vector<std::string>& sources, const std::vector<std::string>& targets);
  void routes();
  void handle_translate(const httplib::Request& req, httplib::Response& res, BatchQueue::Arrival& arrival);
  void handle_complete(const httplib::Request& req, httplib::Response& res, BatchQueue::Arrival& arrival);
  void handle_align(const httplib::Request& req, httplib::Response& res, BatchQueue::Arrival& arrival);
  bool handle_errors(const httplib::Request& req, httplib::Response& res);  // true: it wrote the body
  void guarded(const httplib::Request& req, httplib::Response& res,
               void (Impl::*handler)(const httplib::Request&, httplib::Response&, BatchQueue::Arrival&));

  ServedModel model;
  ServerOptions options;
  search::Translator translator;
  BatchQueue queue;
  httplib::Server http;
  ordered_json model_info;
  align::AttentionSelection selection;  // how results read the attention (alignment.toml or the default)
  std::optional<align::Aligner> aligner;  // built once the selection is known (Server's constructor)
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false}, listened{false};  // run() began; its listen loop ended
  int port = -1;
  int listen_fd = -1;
};

BatchOutput Server::Impl::run(const BatchKey& key, const std::vector<std::string>& sources,
                              const std::vector<std::string>& targets) {
  BatchOutput out;
  const auto name = [](size_t k) { return "sentence " + std::to_string(k + 1) + " of a batch"; };
  if (key.align) {
    out.alignments = aligner->align(sources, targets, name);
    return out;
  }
  search::DecodeOptions decode;
  decode.beam_size = key.beam;
  decode.nbest = key.nbest;
  decode.batch_size = options.batching.max_batch;
  decode.return_attention = true;  // every Result has the alignment
  if (key.alternatives > 0) {  // /api/complete: the completions and their next words, one search
    for (auto& c : translator.complete(sources, targets, key.alternatives, decode)) {
      out.translations.push_back(std::move(c.translation));
      out.alternatives.push_back(std::move(c.alternatives));
    }
  } else {
    out.translations = translator.translate(sources, targets, decode);  // targets: the prefixes, "" for none
  }
  std::vector<align::AttentionRecord> records;
  std::vector<std::string> hypotheses;
  for (size_t k = 0; k < sources.size(); ++k) {
    records.push_back(align::translation_attention(out.translations[k], translator.vocab(), sources[k], 0));
    hypotheses.push_back(out.translations[k].text);
  }
  out.alignments = aligner->align_translations(std::move(records), sources, hypotheses, name);
  return out;
}

// Content type, shutdown, and the ApiErrors a handler throws, as JSON errors.
void Server::Impl::guarded(const httplib::Request& req, httplib::Response& res,
                           void (Impl::*handler)(const httplib::Request&, httplib::Response&, BatchQueue::Arrival&)) {
  try {
    if (stopping) throw ApiError(503, "the server is shutting down");
    require_json_content_type(req.get_header_value("Content-Type"));
    init_handler_thread();
    BatchQueue::Arrival arrival(queue);  // the batch worker waits for it while it is parsed
    (this->*handler)(req, res, arrival);
  } catch (const ApiError& e) {
    send_error(res, e.status(), e.what());
  }
}

void Server::Impl::handle_translate(const httplib::Request& req, httplib::Response& res,
                                  BatchQueue::Arrival& arrival) {
  const auto request = parse_translate_request(req.body, options.limits, translator.vocab());
  BatchKey key;
  key.beam = request.beam;
  key.nbest = request.nbest;
  auto output = queue.submit(key, request.texts, request.prefixes, &arrival).get();
  auto results = ordered_json::array();
  for (size_t i = 0; i < request.texts.size(); ++i)
    results.push_back(translation_result(request.texts[i], request.prefixes[i], output.translations[i],
                                         output.alignments[i], selection, request.attention));
  send_json(res, request.many ? ordered_json{{"results", std::move(results)}} : std::move(results[0]));
}

void Server::Impl::handle_complete(const httplib::Request& req, httplib::Response& res,
                                  BatchQueue::Arrival& arrival) {
  const auto request = parse_complete_request(req.body, options.limits, translator.vocab());
  BatchKey key;
  key.beam = request.beam;
  key.alternatives = request.k;
  auto output = queue.submit(key, {request.text}, {request.prefix}, &arrival).get();
  auto alternatives = ordered_json::array();
  for (const auto& a : output.alternatives.at(0))
    alternatives.push_back({{"word", a.word}, {"probability", align::round_6(a.probability)}, {"completion", a.completion}});
  // An empty prefix still reports it, so that the page reads the same keys every time.
  auto completion = translation_result(request.text, request.prefix, output.translations.at(0),
                                       output.alignments.at(0), selection, request.attention);
  completion["prefix"] = request.prefix;
  if (!completion.contains("prefix_pieces")) completion["prefix_pieces"] = 0;
  if (!completion.contains("prefix_word_pieces")) completion["prefix_word_pieces"] = 0;
  if (!completion.contains("prefix_relaxed")) completion["prefix_relaxed"] = false;
  send_json(res, ordered_json{{"completion", std::move(completion)}, {"alternatives", std::move(alternatives)}});
}

void Server::Impl::handle_align(const httplib::Request& req, httplib::Response& res,
                                  BatchQueue::Arrival& arrival) {
  const auto request = parse_align_request(req.body, options.limits, translator.vocab());
  BatchKey key;
  key.align = true;
  auto output = queue.submit(key, {request.source}, {request.target}, &arrival).get();
  send_json(res, alignment_result(request.source, request.target, output.alignments.at(0), selection,
                                  request.attention));
}

// Every response of status >= 400 without a body (httplib's own: 404, 413, 400 ...) gets a
// JSON error; a known path with the wrong method becomes 405.
bool Server::Impl::handle_errors(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty()) return false;
  const char* allowed = allowed_methods(req.path);
  // httplib answers 400 itself to a request it cannot read; a wrong method there is still a 405.
  const bool wrong_method = allowed && std::string(allowed).find(req.method) == std::string::npos;
  if ((res.status == 404 || res.status == 400) && wrong_method) {
    res.set_header("Allow", allowed);
    send_error(res, 405, req.method + " is not allowed on " + req.path + " (use " + allowed + ")");
  } else if (res.status == 404) {
    send_error(res, 404, "no such path: " + req.path);
  } else if (res.status == 413) {
    send_error(res, 413, "the body is larger than " + std::to_string(options.limits.max_body) + " bytes (--max-body)");
  } else {
    send_error(res, res.status, res.status == 400 ? "the request could not be read (malformed, or a body without Content-Length)"
                                                  : "the request could not be read (HTTP status " + std::to_string(res.status) + ")");
  }
  return true;
}

void Server::Impl::routes() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    // httplib would wait --timeout-s for the body of a POST that gives no length; answer at once.
    const bool body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (!body_method || req.has_header("Content-Length") || req.has_header("Transfer-Encoding"))
      return httplib::Server::HandlerResponse::Unhandled;
    const char* allowed = allowed_methods(req.path);
    if (allowed && std::string(allowed).find(req.method) != std::string::npos) {
      send_error(res, 400, "a " + req.method + " needs a Content-Length header (or Transfer-Encoding: chunked)");
    } else {
      res.status = 404;
      handle_errors(req, res);  // 405 or 404
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) { send_json(res, {{"status", "ok"}}); });
  http.Get("/api/model", [this](const httplib::Request&, httplib::Response& res) { send_json(res, model_info); });
  http.Get("/api/train_log", [this](const httplib::Request&, httplib::Response& res) {
    // The log's lines as written, numbers untouched.
    const auto log = train_log_json(store::ModelDir(model.dir).log());
    res.set_content(log.dump(-1, ' ', false, ordered_json::error_handler_t::replace), kJson);
  });
  for (const auto& asset : page_assets()) {
    auto serve_asset = [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(asset.body), std::string(asset.content_type));
    };
    http.Get(literal_pattern(asset.path), serve_asset);
    if (asset.path == "/index.html") http.Get("/", serve_asset);
  }
  http.Post("/api/translate", [this](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, &Impl::handle_translate);
  });
  http.Post("/api/complete", [this](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, &Impl::handle_complete);
  });
  http.Post("/api/align", [this](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, &Impl::handle_align);
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
    return handle_errors(req, res) ? httplib::Server::HandlerResponse::Handled
                                   : httplib::Server::HandlerResponse::Unhandled;
  }));
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const c10::Error& e) {
      what = e.what_without_backtrace();
      what = what.substr(0, what.find('\n'));
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("{} {}: internal error: {}", req.method, req.path, what);
    send_error(res, 500, "internal error: " + what);
  });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    const double ms = t_request_start
                          ? std::chrono::duration<double, std::milli>(Clock::now() - *t_request_start).count() : 0.0;
    t_request_start.reset();
    spdlog::info("{} {} {} {:.1f} ms", req.method, req.path, res.status, ms);
  });
}

Server::Server(ServedModel model, ServerOptions options) : impl_(std::make_unique<Impl>(std::move(model), options)) {
  auto& i = *impl_;
  ModelInfo info;
  info.model_dir = i.model.dir;
  info.options = i.model.loaded.model->options();
  for (const auto& p : i.model.loaded.model->parameters()) info.parameters += p.numel();
  info.reverse_model = i.model.reverse_dir;
  auto method = align::kDefaultSymmetrizeMethod;
  // The model's saved reading, as align and translate use it (store/saved_selection.h).
  if (const auto saved = i.model.dir.empty() ? std::nullopt : store::read_selection(i.model.dir)) {
    const auto file = "'" + store::selection_path(i.model.dir) + "': ";
    align::check_selection(saved->attention, info.options.decoder_layers(), info.options.heads(),
                           {file + "layer", file + "head"});
    i.selection = saved->attention;
    info.selection_origin = saved->origin.empty() ? "alignment.toml" : saved->origin;
    method = saved->method;
  }
  info.selection = i.selection;
  std::optional<align::AligningModel> reverse;
  if (i.model.reverse_dir) {
    const auto& ro = i.model.reverse.model->options();
    const auto where = "--reverse-model '" + *i.model.reverse_dir + "': ";
    align::check_selection(i.selection, ro.decoder_layers(), ro.heads(), {where + "layer", where + "head"});
    if (i.model.method) method = *i.model.method;
    reverse = align::AligningModel{i.model.reverse.model, &i.model.reverse.vocab};
    info.symmetrize = align::method_name(method);
  }
  i.aligner.emplace(align::AligningModel{i.translator.model(), &i.translator.vocab()}, reverse,
                    align::AlignerOptions{i.selection, 0.0, method, options.batching.max_batch});
  i.model_info = model_info_json(info);
  i.routes();
  const auto timeout = static_cast<time_t>(options.timeout_s);
  i.http.set_read_timeout(timeout, 0);
  i.http.set_write_timeout(timeout, 0);
  i.http.set_keep_alive_timeout(2);
  // httplib writes a response's headers and body apart: with Nagle's algorithm the body
  // waits for the client's delayed ACK of the headers (~40 ms on Linux) on every answer.
  i.http.set_tcp_nodelay(true);
  i.http.set_payload_max_length(options.limits.max_body);
  // Every waiting request holds a connection thread: room for a full queue, a batch in
  // flight, and the page's own requests.
  const auto threads = static_cast<size_t>(std::clamp<int64_t>(
      options.batching.max_queue + options.batching.max_batch + 8, 8, 512));
  i.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // The model was loaded on this thread; from now on only the batch worker computes.
  release_thread_team();
}

Server::~Server() {
  stop();
  impl_->queue.stop();
}

int Server::bind() {
  auto& i = *impl_;
  const auto& o = i.options;
  i.http.set_socket_options([&i](socket_t sock) {
    httplib::default_socket_options(sock);
    i.listen_fd = sock;
  });
  i.port = o.port == 0 ? i.http.bind_to_any_port(o.host) : (i.http.bind_to_port(o.host, o.port) ? o.port : -1);
  // httplib listens with a backlog of 5: 16 clients connecting at once would see SYNs dropped
  // and retried a second later. Listening again only raises the backlog.
  if (i.port >= 0 && i.listen_fd >= 0) ::listen(i.listen_fd, SOMAXCONN);
  if (i.port < 0)
    throw UserError("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                    " (address in use, not this machine's, or a port below 1024 without the right)");
  if (!is_loopback(o.host))
    spdlog::warn("bound to {}, not a loopback address: anyone who can reach it can use this server "
                 "(it has no authentication)", o.host);
  return i.port;
}

void Server::run() {
  auto& i = *impl_;
  spdlog::info("listening on http://{}:{}", url_host(i.options.host), i.port);
  i.running = true;
  if (!i.stopping) i.http.listen_after_bind();
  i.listened = true;
  i.queue.stop();  // the connection threads are done: run what is left and stop the worker
}

void Server::stop() {
  auto& i = *impl_;
  i.stopping = true;
  // run() may be about to listen: httplib ignores a stop before its loop runs, so wait for it.
  while (i.running && !i.listened && !i.http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  i.http.stop();
}

BatchQueue& Server::queue() { return impl_->queue; }

}  // namespace crosstalk::serve
