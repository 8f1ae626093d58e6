// `crosstalk serve` as a process: the "listening on" line, requests, and SIGINT / SIGTERM
// ending it with exit code 0 and the request log on stderr.
#include <httplib.h>
#include <signal.h>

#include <regex>

#include "child_process.h"
#include "cli_support.h"

namespace {

/// The port of the child's "listening on http://127.0.0.1:PORT" line, once it is there.
int listening_port(ChildProcess& child) {
  const std::regex line("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  std::smatch m;
  std::string err;
  const bool ready = child.wait_until([&] {
    err = read_file(child.stderr_path());
    return std::regex_search(err, m, line);
  });
  INFO("stderr:\n" << err);
  REQUIRE(ready);
  return std::stoi(m[1].str());
}

}  // namespace

TEST_CASE("cli: serve on port 0 answers and stops with exit 0 on a signal", "[serve][cli]") {
  const int sig = GENERATE(SIGTERM, SIGINT);
  const auto& model = trained_tiny();
  TempDir io;
  ChildProcess child(kBinary, {"serve", "--model", model.path(), "--port", "0", "--threads", "1"}, kSource,
                     io.path().string());
  const int port = listening_port(child);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120, 0);
  const auto health = client.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == "{\"status\":\"ok\"}");
  const auto translated = client.Post("/api/translate", "{\"text\": \"ein pferd schläft\"}", "application/json");
  REQUIRE(translated);
  CHECK(translated->status == 200);
  CHECK(contains(translated->body, "\"translation\":"));
  child.signal(sig);
  CHECK(child.wait() == 0);
  const auto err = read_file(child.stderr_path());
  INFO("stderr:\n" << err);
  CHECK(contains(err, "GET /health 200"));
  CHECK(contains(err, "POST /api/translate 200"));
  CHECK_FALSE(contains(err, "no authentication"));  // loopback: no warning
}

TEST_CASE("cli: serve rejects bad flags in one line", "[serve][cli]") {
  const auto& model = trained_tiny();
  check_user_error(run({"serve", "--model", model.path(), "--port", "70000"}), "serve", {"--port"});
  check_user_error(run({"serve", "--model", model.path(), "--max-batch", "0"}), "serve", {"--max-batch"});
  check_user_error(run({"serve", "--model", "/nonexistent/model"}), "serve", {"/nonexistent/model"});
}
