#pragma once
// Shared by the libFuzzer targets in tests/fuzz/: a property check that reports and
// aborts (libFuzzer then saves the input as a crash), and the fuzz input as lines.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>
#include <vector>

#define FUZZ_CHECK(cond, ...)                                                          \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "\nFUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, \
                   #cond);                                                             \
      std::fprintf(stderr, __VA_ARGS__);                                               \
      std::fprintf(stderr, "\n");                                                      \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace fuzz {

// A std::string holding exactly the input (for sizes above the small-string buffer its
// heap block is size + 1 bytes, so ASan sees a read past the terminating NUL).
inline std::string input(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Split on '\n' (a final '\n' does not open another line), like reading a text file.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.emplace_back(text, start, end - start);
    start = end + 1;
  }
  return out;
}

// For messages: at most 60 bytes, non-printable bytes as \xNN.
inline std::string show(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 60; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (s.size() > 60) out += "...";
  return out;
}

}  // namespace fuzz

// Every target wraps its body in FUZZ_GUARD(...): an exception other than the ones the
// parser documents (and the target catches itself) is a bug, reported with its type.
#define FUZZ_GUARD(body)                                                                  \
  do {                                                                                    \
    try {                                                                                 \
      body;                                                                               \
    } catch (const std::exception& e) {                                                   \
      std::fprintf(stderr, "\nunexpected exception (%s): %s\n", typeid(e).name(), e.what()); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
