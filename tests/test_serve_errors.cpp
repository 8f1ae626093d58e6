// `crosstalk serve`'s answers to bad input (each a JSON error with the right status and
// the server still serving), to a full queue, to many concurrent clients, and to stop().
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "serve_support.h"

namespace {

std::string repeat(const std::string& s, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += s;
  return out;
}

struct BadInput {
  std::string what, method, path, type, body;
  int status;
  std::string message;  // part of the "error" line
};

httplib::Result send(const TestServer& s, const BadInput& b) {
  auto c = s.client();
  if (b.method == "GET") return c->Get(b.path);
  if (b.method == "PUT") return c->Put(b.path, b.body, b.type);
  if (b.method == "DELETE") return c->Delete(b.path);
  return c->Post(b.path, b.body, b.type);
}

const std::vector<BadInput>& bad_inputs() {
  const std::string json_type = "application/json";
  static const std::vector<BadInput> list = {
      {"malformed JSON", "POST", "/api/translate", json_type, "{\"text\": ", 400, "malformed JSON"},
      {"not an object", "POST", "/api/translate", json_type, "[1, 2]", 400, "must be a JSON object"},
      {"empty body", "POST", "/api/translate", json_type, "", 400, "malformed JSON"},
      {"missing text", "POST", "/api/translate", json_type, "{\"beam\": 2}", 400, "missing field \"text\""},
      {"text and texts", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"texts\": [\"b\"]}", 400, "not both"},
      {"text a number", "POST", "/api/translate", json_type, "{\"text\": 5}", 400, "\"text\" must be a string"},
      {"texts not an array", "POST", "/api/translate", json_type, "{\"texts\": \"a\"}", 400, "must be an array"},
      {"texts with a number", "POST", "/api/translate", json_type, "{\"texts\": [\"a\", 1]}", 400, "\"texts[1]\" must be a string"},
      {"beam a string", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"beam\": \"4\"}", 400, "\"beam\" must be an integer"},
      {"beam a float", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"beam\": 2.5}", 400, "\"beam\" must be an integer"},
      {"beam 0", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"beam\": 0}", 400, "between 1 and 16"},
      {"beam 17", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"beam\": 17}", 400, "between 1 and 16"},
      {"nbest over beam", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"beam\": 2, \"nbest\": 3}", 400, "\"nbest\" must be between 1 and beam (2)"},
      {"attention a string", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"attention\": \"yes\"}", 400, "\"attention\" must be true or false"},
      {"empty text", "POST", "/api/translate", json_type, "{\"text\": \"\"}", 400, "\"text\" is empty"},
      {"only spaces", "POST", "/api/translate", json_type, "{\"text\": \"   \"}", 400, "\"text\" is empty"},
      {"empty texts", "POST", "/api/translate", json_type, "{\"texts\": []}", 400, "\"texts\" is empty"},
      {"NUL in text", "POST", "/api/translate", json_type, "{\"text\": \"a\\u0000b\"}", 400, "NUL"},
      {"invalid UTF-8", "POST", "/api/translate", json_type, "{\"text\": \"ein \xff\xfe Hund\"}", 400, "not valid UTF-8"},
      {"lone surrogate", "POST", "/api/translate", json_type, "{\"text\": \"\\ud800\"}", 400, "malformed JSON"},
      {"too many tokens", "POST", "/api/translate", json_type, "{\"text\": \"" + repeat("ein pferd ", 15) + "\"}", 400, "--max-input-tokens"},
      {"too many texts", "POST", "/api/translate", json_type, "{\"texts\": [\"a\",\"a\",\"a\",\"a\",\"a\"]}", 400, "--max-batch"},
      {"prefix a number", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"prefix\": 3}", 400, "\"prefix\" must be a string"},
      {"prefix with texts", "POST", "/api/translate", json_type, "{\"texts\": [\"a\"], \"prefix\": \"a\"}", 400, "\"prefix\" goes with \"text\""},
      {"prefixes with text", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"prefixes\": [\"a\"]}", 400, "\"prefixes\" goes with \"texts\""},
      {"prefixes not an array", "POST", "/api/translate", json_type, "{\"texts\": [\"a\"], \"prefixes\": \"a\"}", 400, "\"prefixes\" must be an array"},
      {"prefixes of another length", "POST", "/api/translate", json_type, "{\"texts\": [\"a\", \"b\"], \"prefixes\": [\"a\"]}", 400, "\"prefixes\" has 1 entries for 2 texts"},
      {"prefixes with a number", "POST", "/api/translate", json_type, "{\"texts\": [\"a\"], \"prefixes\": [1]}", 400, "\"prefixes[0]\" must be a string"},
      {"NUL in prefix", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"prefix\": \"a\\u0000b\"}", 400, "\"prefix\" contains a NUL"},
      {"prefix not UTF-8", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"prefix\": \"the \xff dog\"}", 400, "not valid UTF-8"},
      {"prefix too long", "POST", "/api/translate", json_type, "{\"text\": \"a\", \"prefix\": \"" + repeat("a man ", 15) + "\"}", 400, "\"prefix\" has more than 20 pieces"},
      {"complete without prefix", "POST", "/api/complete", json_type, "{\"text\": \"a\"}", 400, "missing field \"prefix\""},
      {"complete k 0", "POST", "/api/complete", json_type, "{\"text\": \"a\", \"prefix\": \"\", \"k\": 0}", 400, "\"k\" must be between 1 and 10"},
      {"complete empty text", "POST", "/api/complete", json_type, "{\"text\": \" \", \"prefix\": \"a\"}", 400, "\"text\" is empty"},
      {"GET complete", "GET", "/api/complete", "", "", 405, "GET is not allowed on /api/complete"},
      {"text/plain", "POST", "/api/translate", "text/plain", "{\"text\": \"a\"}", 415, "Content-Type: application/json"},
      {"form", "POST", "/api/align", "application/x-www-form-urlencoded", "source=a", 415, "application/json"},
      {"align without target", "POST", "/api/align", json_type, "{\"source\": \"a\"}", 400, "missing field \"target\""},
      {"align empty source", "POST", "/api/align", json_type, "{\"source\": \"\", \"target\": \"a\"}", 400, "\"source\" is empty"},
      {"align target a list", "POST", "/api/align", json_type, "{\"source\": \"a\", \"target\": [\"a\"]}", 400, "\"target\" must be a string"},
      {"unknown path", "GET", "/nope", "", "", 404, "no such path: /nope"},
      {"unknown api path", "POST", "/api/nope", json_type, "{}", 404, "no such path"},
      {"GET translate", "GET", "/api/translate", "", "", 405, "GET is not allowed on /api/translate"},
      {"POST health", "POST", "/health", json_type, "{}", 405, "POST is not allowed on /health"},
      {"PUT model", "PUT", "/api/model", json_type, "{}", 405, "PUT is not allowed"},
      {"DELETE page", "DELETE", "/", "", "", 405, "DELETE is not allowed"},
      {"body over --max-body", "POST", "/api/translate", json_type, "{\"text\": \"" + std::string(3000, 'a') + "\"}", 413, "--max-body"},
  };
  return list;
}

serve::ServerOptions small_limits() {
  serve::ServerOptions o;
  o.limits.max_body = 2000;
  o.limits.max_input_tokens = 20;
  o.batching.max_batch = 4;
  return o;
}

/// A raw TCP connection to the server on 127.0.0.1:`port`, with `data` sent; its socket.
int connect_and_send(int port, const std::string& data) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
  return fd;
}

/// A raw TCP connection to the server that sends `data` and hangs up without reading.
void send_and_hang_up(int port, const std::string& data) {
  const int fd = connect_and_send(port, data);
  ::close(fd);
}

/// Sends `data` (a request with Connection: close) over a raw TCP connection; the whole answer.
std::string raw_request(int port, const std::string& data) {
  const int fd = connect_and_send(port, data);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

}  // namespace

TEST_CASE("serve: a POST without Content-Length is answered at once", "[serve]") {
  TestServer s(small_limits());
  const auto bad = raw_request(s.port(), "POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                         "Connection: close\r\n\r\n");
  INFO(bad);
  CHECK(bad.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(contains(bad, "needs a Content-Length"));
  const auto wrong = raw_request(s.port(), "POST /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  INFO(wrong);
  CHECK(wrong.rfind("HTTP/1.1 405", 0) == 0);
  CHECK(contains(wrong, "Allow: GET, HEAD"));
}

TEST_CASE("serve: every bad input gets a JSON error with its status", "[serve]") {
  TestServer s(small_limits());
  for (const auto& b : bad_inputs()) {
    INFO(b.what << ": " << b.method << " " << b.path);
    const auto r = send(s, b);
    REQUIRE(r);
    CHECK(r->status == b.status);
    const auto j = body_json(r);
    REQUIRE(j["error"].is_string());
    CHECK(contains(j["error"].get<std::string>(), b.message));
    if (b.status == 405) CHECK_FALSE(r->get_header_value("Allow").empty());
  }
  CHECK(body_json(get(s, "/health"))["status"] == "ok");  // still serving
}

TEST_CASE("serve: clients that hang up mid-request leave the server serving", "[serve]") {
  TestServer s(small_limits());
  const std::string body = json{{"text", "ein pferd schläft"}}.dump();
  // Headers cut short; a body shorter than its Content-Length; a whole request whose answer nobody reads.
  send_and_hang_up(s.port(), "POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Ty");
  send_and_hang_up(s.port(), "POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Content-Length: 500\r\n\r\n" + body);
  for (int i = 0; i < 3; ++i)
    send_and_hang_up(s.port(), "POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  const auto r = post(s, "/api/translate", body);
  CHECK(r->status == 200);
  CHECK(body_json(r)["source"] == "ein pferd schläft");
}

TEST_CASE("serve: concurrent clients get their own answers and the one-by-one ones", "[serve]") {
  serve::ServerOptions o;
  o.batching.max_batch = 32;
  TestServer s(o);
  auto sources = read_lines(source_path("data/toy/valid.de"));
  sources.resize(16);
  const int beam = GENERATE(1, 4);
  INFO("beam " << beam);
  auto request = [&](size_t i) {
    return json{{"text", sources[i]}, {"beam", beam}, {"nbest", beam == 1 ? 1 : 2}}.dump();
  };
  std::vector<json> alone;  // one request at a time: each a batch of its own
  for (size_t i = 0; i < sources.size(); ++i) alone.push_back(body_json(post(s, "/api/translate", request(i))));
  // All 16 wait in the paused queue, then run as one batch.
  const auto batches_before = s.server().queue().batches_run();
  s.server().queue().pause();
  std::vector<std::future<Answer>> answers;
  for (size_t i = 0; i < sources.size(); ++i)
    answers.push_back(std::async(std::launch::async, [&, i] { return post_from_thread(s, "/api/translate", request(i)); }));
  s.server().queue().wait_until_queued(sources.size());
  s.server().queue().resume();
  for (size_t i = 0; i < sources.size(); ++i) {
    const auto answer = answers[i].get();
    INFO("sentence " << i << ": " << sources[i] << ": " << answer.body.substr(0, 300));
    REQUIRE(answer.status == 200);
    const auto got = json::parse(answer.body);
    CHECK(got["source"] == sources[i]);
    CHECK(got["translation"] == alone[i]["translation"]);
    CHECK(got["alignment"] == alone[i]["alignment"]);
    REQUIRE(got["nbest"].size() == alone[i]["nbest"].size());
    for (size_t k = 0; k < got["nbest"].size(); ++k) {
      CHECK(got["nbest"][k]["text"] == alone[i]["nbest"][k]["text"]);
      CHECK(got["nbest"][k]["score"].get<double>() == Approx(alone[i]["nbest"][k]["score"].get<double>()).margin(1e-4));
    }
  }
  CHECK(s.server().queue().batches_run() == batches_before + 1);
}

TEST_CASE("serve: a full queue answers 503 at once", "[serve]") {
  serve::ServerOptions o;
  o.batching.max_queue = 2;
  TestServer s(o);
  s.server().queue().pause();
  const std::string body = json{{"text", "ein pferd schläft"}}.dump();
  auto first = std::async(std::launch::async, [&] { return post_from_thread(s, "/api/translate", body).status; });
  auto second = std::async(std::launch::async, [&] { return post_from_thread(s, "/api/translate", body).status; });
  s.server().queue().wait_until_queued(2);
  const auto refused = post(s, "/api/translate", body);
  CHECK(refused->status == 503);
  CHECK(contains(body_json(refused)["error"].get<std::string>(), "--max-queue"));
  CHECK(get(s, "/health")->status == 200);  // the rest of the API still answers
  s.server().queue().resume();
  CHECK(first.get() == 200);
  CHECK(second.get() == 200);
}

TEST_CASE("serve: stop answers the requests in flight and refuses new ones", "[serve]") {
  TestServer s;
  s.server().queue().pause();
  const std::string body = json{{"text", "ein pferd schläft"}}.dump();
  auto in_flight = std::async(std::launch::async, [&] { return post_from_thread(s, "/api/translate", body).status; });
  s.server().queue().wait_until_queued(1);
  s.server().stop();
  auto refused = s.client()->Get("/health");
  CHECK_FALSE(refused);  // the listening socket is closed
  s.server().queue().resume();
  CHECK(in_flight.get() == 200);
  s.stop_and_wait();
}
