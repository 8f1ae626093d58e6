// The model store (store/): a model directory written before toml++ still loads, TOML
// numbers and strings survive a write and a read exactly, and each bad config.toml line
// is one error naming the file, the line and the key.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <sstream>

#include "crosstalk/common/error.h"
#include "crosstalk/store/loaded_model.h"
#include "crosstalk/store/model_config.h"
#include "crosstalk/store/saved_selection.h"
#include "crosstalk/store/toml_file.h"
#include "crosstalk/text/vocab.h"

namespace st = crosstalk::store;
using Catch::Contains;

namespace {

std::string fixture(const std::string& name) { return std::string(CROSSTALK_SOURCE_DIR) + "/tests/fixtures/" + name; }

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("store: a model directory written by 5d37483 loads, with its saved selection", "[store]") {
  const auto dir = fixture("model_5d37483");
  const auto loaded = st::load_model_dir(dir);
  const auto& o = loaded.model->options();
  CHECK(o.d_model() == 16);
  CHECK(o.heads() == 2);
  CHECK(o.encoder_layers() == 1);
  CHECK(o.decoder_layers() == 2);
  CHECK(o.ffn_dim() == 32);
  CHECK(o.vocab_size() == 60);
  CHECK(o.max_positions() == 64);
  CHECK(o.dropout() == 0.1);
  CHECK(o.attention_dropout() == 0.0);  // written as the integer 0
  CHECK_FALSE(o.pre_norm());
  CHECK(o.tied_embeddings());
  CHECK(loaded.vocab.size() == 60);
  CHECK(loaded.weights == dir + "/best.pt");

  const auto saved = st::read_selection(dir);
  REQUIRE(saved.has_value());
  CHECK(saved->attention.layer == 2);
  CHECK(saved->attention.head == 0);
  CHECK(saved->method == crosstalk::align::SymmetrizeMethod::soft_product_gdfa);
  CHECK(saved->origin == "guided alignment training (layer 2, heads averaged, weight 0.5)");

  // What the store writes today reads back to the same options.
  const auto again = st::parse_model_config(st::format_model_config(o), "again.toml");
  CHECK(st::format_model_config(again) == st::format_model_config(o));
}

TEST_CASE("store: numbers and strings survive toml_line and parse_toml exactly", "[store]") {
  for (const double x : {0.0, 0.1, 1e-9, 1.0 / 3.0, 5e-324, 1e300, 123456789.0, -0.25}) {
    INFO(x);
    const auto table = st::parse_toml(st::toml_line("x", x), "t");
    const auto back = st::number_value(*table.get("x"), "x", "t");
    CHECK(same_bits(back, x));
  }
  for (const int64_t n : {int64_t{0}, int64_t{-7}, std::numeric_limits<int64_t>::max()}) {
    const auto table = st::parse_toml(st::toml_line("n", n), "t");
    CHECK(st::integer_value(*table.get("n"), "n", "t") == n);
  }
  for (const std::string s : {"plain", "a \"quoted\" # not a comment", "it's", "tab\there", "two\nlines", "ü €"}) {
    const auto table = st::parse_toml(st::toml_line("s", s), "t");
    CHECK(st::string_value(*table.get("s"), "s", "t") == s);
  }
  // Short where it can be: what people read in config.toml.
  CHECK(st::toml_line("dropout", 0.1) == "dropout = 0.1");
  CHECK(st::toml_line("attention_dropout", 0.0) == "attention_dropout = 0.0");
}

TEST_CASE("store: each bad config.toml is one error naming the file, the line and the key", "[store]") {
  const auto good = st::format_model_config(crosstalk::model::ModelOptions());
  auto with_line = [&](const std::string& key, const std::string& line) {
    std::string out;
    std::istringstream in(good);
    for (std::string l; std::getline(in, l);) out += (l.rfind(key + " =", 0) == 0 ? line : l) + "\n";
    return out;
  };
  auto line_of = [&](const std::string& key) {
    std::istringstream in(good);
    int n = 0;
    for (std::string l; std::getline(in, l);) {
      ++n;
      if (l.rfind(key + " =", 0) == 0) return n;
    }
    return -1;
  };
  struct Case {
    std::string key, line;
  };
  for (const auto& c : {Case{"d_model", "d_model = wide"}, Case{"d_model", "d_model = \"wide\""},
                        Case{"heads", "heads = 6x"}, Case{"heads", "heads = 2.5"}, Case{"dropout", "dropout = lots"},
                        Case{"dropout", "dropout = \"0.1\""}, Case{"pre_norm", "pre_norm = yes"},
                        Case{"pre_norm", "pre_norm = 1"}}) {
    INFO(c.line);
    const auto text = with_line(c.key, c.line);
    CHECK_THROWS_WITH(st::parse_model_config(text, "bad.toml"),
                      Contains("'bad.toml' line " + std::to_string(line_of(c.key))) && Contains(c.key));
  }
  CHECK_THROWS_WITH(st::parse_model_config(good + "heads = 8\n", "bad.toml"), Contains("'bad.toml' line") && Contains("heads"));
  CHECK_THROWS_WITH(st::parse_model_config(good + "[extra]\n", "bad.toml"), Contains("unknown key 'extra'"));
  CHECK_THROWS_WITH(st::parse_model_config(with_line("heads", "heads = 3"), "bad.toml"),
                    Contains("'bad.toml'") && Contains("multiple of heads"));
  CHECK_THROWS_WITH(st::parse_model_config(with_line("dropout", "dropout = nan"), "bad.toml"),
                    Contains("dropout must be in [0, 1)"));
}
