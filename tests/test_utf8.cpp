// common/utf8: the validator and the U+FFFD repair agree with decode_utf8.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "crosstalk/common/utf8.h"

using namespace std::string_literals;

TEST_CASE("utf8_sequence_length and first_invalid_utf8", "[utf8]") {
  using crosstalk::first_invalid_utf8;
  using crosstalk::utf8_sequence_length;
  CHECK(utf8_sequence_length("a", 0) == 1);
  CHECK(utf8_sequence_length("\xC3\xA4", 0) == 2);
  CHECK(utf8_sequence_length("\xE2\x82\xAC", 0) == 3);
  CHECK(utf8_sequence_length("\xF0\x9F\x98\x80", 0) == 4);
  CHECK(utf8_sequence_length("\xC3", 0) == 0);              // cut short
  CHECK(utf8_sequence_length("\xC0\xAF", 0) == 0);          // overlong
  CHECK(utf8_sequence_length("\xED\xA0\x80", 0) == 0);      // surrogate
  CHECK(utf8_sequence_length("\xF4\x90\x80\x80", 0) == 0);  // above U+10FFFF
  CHECK(utf8_sequence_length("\x80", 0) == 0);              // stray continuation byte
  CHECK(utf8_sequence_length("a", 1) == 0);                 // past the end
  CHECK(first_invalid_utf8("Stra\xC3\x9F" "e") == std::string::npos);
  CHECK(first_invalid_utf8("M\xE4" "dchen") == 1);
  CHECK(first_invalid_utf8("") == std::string::npos);
  CHECK(first_invalid_utf8("a\0b"s) == std::string::npos);  // NUL is valid UTF-8
}

TEST_CASE("repair_utf8 replaces each bad byte, and NUL on request", "[utf8]") {
  using crosstalk::repair_utf8;
  CHECK(repair_utf8("gut") == "gut");
  CHECK(repair_utf8("M\xE4" "dchen") == "M\xEF\xBF\xBD" "dchen");
  CHECK(repair_utf8("\xE0\x80\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(repair_utf8("a\0b"s) == "a\0b"s);
  CHECK(repair_utf8("a\0b"s, /*replace_nul=*/true) == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("repair_utf8 equals encode_utf8(decode_utf8()) on random bytes", "[utf8]") {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 24, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 4 == 0 ? 0x80 | (rng() & 0x3F) : rng() & 0xFF);
    const std::string repaired = crosstalk::repair_utf8(s);
    INFO("round " << round);
    CHECK(repaired == crosstalk::encode_utf8(crosstalk::decode_utf8(s)));
    CHECK(crosstalk::first_invalid_utf8(repaired) == std::string::npos);
  }
}
