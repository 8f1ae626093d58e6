// parse_positive_index: "N or a keyword" values of flags and config files.
#include <catch2/catch.hpp>

#include "crosstalk/common/positive_index.h"

TEST_CASE("positive index: positive integers only", "[common]") {
  using crosstalk::parse_positive_index;
  CHECK(parse_positive_index("1") == 1);
  CHECK(parse_positive_index("12") == 12);
  for (const char* bad : {"0", "-1", "", "2x", " 3", "avg", "1.5", "99999999999999999999999"})
    CHECK_FALSE(parse_positive_index(bad).has_value());
}
