// Ctrl-C (SIGINT) and SIGTERM while `translate` and `align` work through piped input or
// files: what was written is flushed, whole lines only, each the same as an
// uninterrupted run's, and the exit status is 130 / 143.
#include <signal.h>

#include <thread>

#include "cli_spawn.h"

namespace {

/// Ignores SIGPIPE while alive: the writer of a pipe whose reader was stopped gets EPIPE.
struct IgnoreSigpipe {
  struct sigaction old {};
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
  }
  ~IgnoreSigpipe() { sigaction(SIGPIPE, &old, nullptr); }
};

/// Writes `data` into fd (until the reader goes away), then closes it.
void feed(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

/// Waits until the child has written `what` (by default a whole line) to stdout.
void wait_for_output(const Child& child, const std::string& what = "\n") {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (!contains(child.stdout_text(), what)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::vector<std::string> repeated_lines(const std::string& file, size_t times) {
  const auto lines = read_lines(source_path(file));
  std::vector<std::string> out;
  for (size_t t = 0; t < times; ++t) out.insert(out.end(), lines.begin(), lines.end());
  return out;
}

std::string joined(const std::vector<std::string>& lines, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < lines.size(); ++i) s += lines[i] + "\n";
  return s;
}

}  // namespace

TEST_CASE("interrupting a piped translate writes whole lines and exits 130 / 143", "[cli][interrupt]") {
  const int sig = GENERATE(SIGINT, SIGTERM);
  const std::string model = trained_tiny().path();
  const std::vector<std::string> flags = {"translate", "--model", model, "--beam", "1", "--chunk", "16",
                                          "--batch-size", "16"};
  const auto input = repeated_lines("data/toy/valid.de", 2500);  // 100,000 lines
  Spawned r;
  {
    IgnoreSigpipe guard;
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    Child child(flags, fds[0]);
    ::close(fds[0]);
    std::thread writer(feed, fds[1], joined(input, input.size()));
    wait_for_output(child);
    REQUIRE(::kill(child.pid(), sig) == 0);
    r = child.wait();
    writer.join();
  }
  INFO("stderr:\n" << r.err);
  CHECK(r.code == 128 + sig);
  REQUIRE_FALSE(r.out.empty());
  CHECK(r.out.back() == '\n');  // whole lines only
  const auto out = output_lines(r.out);
  CHECK(out.size() < input.size());
  CHECK(contains(r.err, "crosstalk: interrupted: writing the translations finished so far, then stopping"));
  CHECK(contains(r.err, "interrupted: the translations of the first " + std::to_string(out.size()) +
                            " input lines were written"));
  // The same chunks, uninterrupted, give the same lines.
  TempDir tmp;
  write_file(tmp / "head.de", joined(input, (out.size() + 15) / 16 * 16));
  const auto reference = run(flags, tmp / "head.de");
  REQUIRE(reference.code == 0);
  const auto expected = output_lines(reference.out);
  REQUIRE(expected.size() >= out.size());
  CHECK(out == std::vector<std::string>(expected.begin(), expected.begin() + static_cast<long>(out.size())));
}

TEST_CASE("interrupting align over files writes whole lines and exits 130", "[cli][interrupt]") {
  const std::string model = trained_tiny().path();
  TempDir tmp;
  const auto src = repeated_lines("data/toy/valid.de", 1000), tgt = repeated_lines("data/toy/valid.en", 1000);
  write_file(tmp / "big.de", joined(src, src.size()));
  write_file(tmp / "big.en", joined(tgt, tgt.size()));
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(null >= 0);
  Child child({"align", "--model", model, "--src", tmp / "big.de", "--tgt", tmp / "big.en"}, null);
  ::close(null);
  wait_for_output(child);
  REQUIRE(::kill(child.pid(), SIGINT) == 0);
  const auto r = child.wait();
  INFO("stderr:\n" << r.err);
  CHECK(r.code == 130);
  REQUIRE_FALSE(r.out.empty());
  CHECK(r.out.back() == '\n');
  const auto out = output_lines(r.out);
  CHECK(out.size() < src.size());
  CHECK(out.size() % 256 == 0);  // align writes 256 pairs at a time
  CHECK(contains(r.err, "interrupted: the alignments of the first " + std::to_string(out.size()) + " of " +
                            std::to_string(src.size()) + " sentence pairs were written"));
  write_file(tmp / "head.de", joined(src, out.size()));
  write_file(tmp / "head.en", joined(tgt, out.size()));
  const auto reference = run({"align", "--model", model, "--src", tmp / "head.de", "--tgt", tmp / "head.en"});
  REQUIRE(reference.code == 0);
  CHECK(output_lines(reference.out) == out);
}

TEST_CASE("Ctrl-C at the interactive prompt ends the program at once (default behaviour)", "[cli][interrupt]") {
  const std::string model = trained_tiny().path();
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  Child child({"translate", "--model", model, "--interactive"}, fds[0]);
  ::close(fds[0]);
  wait_for_output(child, "> ");  // the prompt, waiting for a line that never comes
  REQUIRE(::kill(child.pid(), SIGINT) == 0);
  const auto r = child.wait();
  ::close(fds[1]);
  CHECK(r.code == 130);  // killed by SIGINT
}
