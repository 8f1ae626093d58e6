// An in-process `crosstalk serve` on 127.0.0.1 and an ephemeral port, for the API tests,
// with the tiny model of cli_support.h (trained once per test process).
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <thread>

#include "cli_support.h"
#include "crosstalk/serve/server.h"

namespace {

namespace serve = crosstalk::serve;
using nlohmann::json;

/// A server running in a thread from construction to destruction.
class TestServer {
 public:
  /// Serves `model_dir` (default: the tiny model).
  explicit TestServer(serve::ServerOptions options = {}, const std::string& model_dir = "")
      : TestServer(served(model_dir), options) {}
  /// Serves `model` as it is (e.g. with a reverse model).
  TestServer(serve::ServedModel model, serve::ServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.limits.max_batch = options.batching.max_batch;
    server_ = std::make_unique<serve::Server>(std::move(model), options);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~TestServer() { stop_and_wait(); }
  /// `model_dir` (default: the tiny model), loaded.
  static serve::ServedModel served(const std::string& model_dir = "") {
    serve::ServedModel model;
    model.dir = model_dir.empty() ? trained_tiny().path() : model_dir;
    model.loaded = crosstalk::store::load_model_dir(model.dir);
    return model;
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  void stop_and_wait() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }
  serve::Server& server() { return *server_; }
  int port() const { return port_; }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(300, 0);
    c->set_write_timeout(60, 0);
    return c;
  }

 private:
  std::unique_ptr<serve::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

/// POST a JSON body; the response (REQUIREd to exist).
httplib::Result post(const TestServer& s, const std::string& path, const std::string& body,
                     const std::string& type = "application/json") {
  auto result = s.client()->Post(path, body, type);
  INFO("POST " << path << " " << body.substr(0, 200) << ": " << httplib::to_string(result.error()));
  REQUIRE(result);
  return result;
}

httplib::Result get(const TestServer& s, const std::string& path) {
  auto result = s.client()->Get(path);
  INFO("GET " << path << ": " << httplib::to_string(result.error()));
  REQUIRE(result);
  return result;
}

/// An answer fetched off the main thread.
struct Answer {
  int status = -1;  // -1: no answer (the error is in body)
  std::string body;
};

/// POST from any thread: no Catch2 macros here (Catch2 v2 assertions are not thread-safe),
/// the caller checks the Answer on the main thread.
Answer post_from_thread(const TestServer& s, const std::string& path, const std::string& body) {
  auto result = s.client()->Post(path, body, "application/json");
  if (!result) return {-1, httplib::to_string(result.error())};
  return {result->status, result->body};
}

/// The response body as JSON, with its content type checked.
json body_json(const httplib::Result& r) {
  INFO("body: " << r->body.substr(0, 500));
  CHECK(r->get_header_value("Content-Type") == "application/json");
  const auto j = json::parse(r->body, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

}  // namespace
