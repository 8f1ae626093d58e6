// model/settings.h, the one list of the model's settings: config.toml writes and reads
// every one of them, `train` has a flag for each, and the one validation names the bad
// setting in the file's words or in the flag's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "cli_support.h"
#include "crosstalk/model/settings.h"
#include "crosstalk/store/model_config.h"

namespace md = crosstalk::model;
using Catch::Contains;

namespace {

std::vector<std::string> keys() {
  std::vector<std::string> out;
  md::ModelOptions o;
  md::for_each_setting(o, [&](const md::ModelSetting& s, const auto&) { out.emplace_back(s.key); });
  return out;
}

// Options in which every setting differs from its default, and which still build a model.
md::ModelOptions all_changed() {
  return md::ModelOptions().vocab_size(123).d_model(48).heads(3).encoder_layers(2).decoder_layers(5).ffn_dim(77)
      .dropout(0.25).attention_dropout(0.125).pre_norm(true).tied_embeddings(false).max_positions(99);
}

}  // namespace

TEST_CASE("model settings: config.toml writes each setting once and reads all of them back", "[settings]") {
  const auto names = keys();
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  CHECK(std::is_sorted(names.begin(), names.end()));
  const auto changed = all_changed();
  REQUIRE(md::invalid_settings(changed).empty());
  const auto text = crosstalk::store::format_model_config(changed);
  for (const auto& key : names) CHECK(text.find("\n" + key + " = ") != std::string::npos);
  const auto back = crosstalk::store::parse_model_config(text, "t.toml");
  const md::ModelOptions defaults;
  std::vector<std::string> differ_from_default, survive;
  // every setting of all_changed() differs from the default, and survives the round trip
  md::for_each_setting(changed, [&](const md::ModelSetting& s, const auto& value) {
    md::for_each_setting(defaults, [&](const md::ModelSetting& d, const auto& default_value) {
      if (std::string(d.key) == s.key && static_cast<double>(default_value) != static_cast<double>(value))
        differ_from_default.emplace_back(s.key);
    });
    md::for_each_setting(back, [&](const md::ModelSetting& b, const auto& read) {
      if (std::string(b.key) == s.key && static_cast<double>(read) == static_cast<double>(value))
        survive.emplace_back(s.key);
    });
  });
  CHECK(differ_from_default == names);
  CHECK(survive == names);
}

TEST_CASE("model settings: one validation names the bad setting as a key or as a flag", "[settings]") {
  CHECK(md::invalid_settings(md::ModelOptions()).empty());
  CHECK(md::setting_flag("attention_dropout") == "--attention-dropout");
  struct Case {
    md::ModelOptions options;
    std::string key_text, flag_text;
  };
  const std::vector<Case> cases = {
      {md::ModelOptions().d_model(0), "d_model must be in 1..", "--d-model must be in 1.."},
      {md::ModelOptions().heads(-2), "heads must be in 1..", "--heads must be in 1.."},
      {md::ModelOptions().encoder_layers(0), "encoder_layers must be", "--encoder-layers must be"},
      {md::ModelOptions().decoder_layers(0), "decoder_layers must be", "--decoder-layers must be"},
      {md::ModelOptions().ffn_dim(int64_t{1} << 30), "ffn_dim must be in 1..16777216", "--ffn-dim must be"},
      {md::ModelOptions().vocab_size(0), "vocab_size must be", "--vocab-size must be"},
      {md::ModelOptions().max_positions(4), "max_positions must be in 8..", "--max-positions must be in 8.."},
      {md::ModelOptions().dropout(1.0), "dropout must be in [0, 1), got 1", "--dropout must be in [0, 1)"},
      {md::ModelOptions().attention_dropout(std::nan("")), "attention_dropout must be in [0, 1)",
       "--attention-dropout must be in [0, 1)"},
      {md::ModelOptions().d_model(30).heads(4), "d_model (30) must be an even multiple of heads (4)",
       "--d-model (30) must be an even multiple of --heads (4)"},
      {md::ModelOptions().d_model(6).heads(3).decoder_layers(2000), "decoder_layers must be at most 1024",
       "--decoder-layers must be at most 1024"},
  };
  for (const auto& c : cases) {
    INFO(c.key_text);
    CHECK_THAT(md::invalid_settings(c.options), Contains(c.key_text));
    CHECK_THAT(md::invalid_settings(c.options, md::SettingNames::flags), Contains(c.flag_text));
  }
}

TEST_CASE("cli: train has a flag for every model setting and refuses a bad shape in one line", "[cli][settings]") {
  const auto help = run({"train", "--help"});
  REQUIRE(help.code == 0);
  for (const auto& key : keys()) CHECK_THAT(help.out, Contains(md::setting_flag(key)));
  const auto bad = run({"train", "--train-src", "x.de", "--train-tgt", "x.en", "--d-model", "30", "--heads", "4"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Contains("--d-model (30) must be an even multiple of --heads (4)"));
}
