// alignment.toml, the alignment reading a model directory remembers: round trips and bad files.
#include <catch2/catch.hpp>

#include <fstream>

#include "crosstalk/common/error.h"
#include "crosstalk/store/saved_selection.h"
#include "temp_dir.h"

namespace al = crosstalk::align;
namespace st = crosstalk::store;

TEST_CASE("saved selection: every layer, head and method survives a write and a read", "[store][selection]") {
  ScopedTempDir tmp("selection");
  for (int64_t layer : {0, 1, 3}) {
    for (int64_t head : {0, 2}) {
      for (const auto& name : al::symmetrize_method_names()) {
        for (const std::string origin : {"align --sweep on \"dev.gold\" # AER 0.1874", "it's\tquoted 'twice'\\",
                                         "two\nlines", ""}) {
          st::SavedSelection s;
          s.attention = {layer, head};
          s.method = al::parse_symmetrize_method(name, "m");
          s.origin = origin;
          st::write_selection(tmp.path.string(), s);
          const auto back = st::read_selection(tmp.path.string());
          REQUIRE(back.has_value());
          CHECK(back->attention.layer == layer);
          CHECK(back->attention.head == head);
          CHECK(al::method_name(back->method) == name);
          CHECK(back->origin == s.origin);
        }
      }
    }
  }
}

TEST_CASE("saved selection: absent is nullopt, missing keys keep the defaults", "[store][selection]") {
  ScopedTempDir tmp("selection_absent");
  CHECK_FALSE(st::read_selection(tmp.path.string()).has_value());
  const auto s = st::parse_selection("# only a comment\nhead = 2\n", "f");
  CHECK(s.attention.layer == 0);
  CHECK(s.attention.head == 2);
  CHECK(s.method == al::kDefaultSymmetrizeMethod);
  // A layer or head may be written as a number or as its text.
  CHECK(st::parse_selection("layer = \"3\"\n", "f").attention.layer == 3);
}

TEST_CASE("saved selection: each bad line is an error naming the file and the line", "[store][selection]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(st::parse_selection("layer = 0\n", "f"), Contains("'f' line 1") && Contains("from 1"));
  CHECK_THROWS_WITH(st::parse_selection("head = \"x\"\n", "f"), Contains("'f' line 1") && Contains("head"));
  CHECK_THROWS_WITH(st::parse_selection("head = 1.5\n", "f"), Contains("'f' line 1") && Contains("head"));
  CHECK_THROWS_WITH(st::parse_selection("\nsymmetrize = \"best\"\n", "f"), Contains("'f' line 2") && Contains("soft-mean"));
  CHECK_THROWS_WITH(st::parse_selection("\n\nsymmetrize = 3\n", "f"), Contains("'f' line 3") && Contains("symmetrize"));
  CHECK_THROWS_WITH(st::parse_selection("colour = 1\n", "f"), Contains("'f' line 1") && Contains("unknown key 'colour'"));
  CHECK_THROWS_WITH(st::parse_selection("layer = 1\nlayer = 2\n", "f"), Contains("'f' line 2") && Contains("layer"));
  CHECK_THROWS_WITH(st::parse_selection("layer\n", "f"), Contains("'f' line 1"));
  CHECK_THROWS_WITH(st::parse_selection("origin = \"open\n", "f"), Contains("'f' line 1"));
  CHECK_THROWS_AS(st::parse_selection("origin = \"\xff\"\n", "f"), crosstalk::UserError);
}
