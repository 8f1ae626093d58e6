#include <catch2/catch.hpp>

#include "checkpoint_fixture.h"
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/store/loaded_model.h"
#include "crosstalk/store/model_config.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/store/weights.h"
#include "crosstalk/train/checkpoint.h"
#include "crosstalk/train/train_state.h"

using namespace crosstalk::store;
using namespace crosstalk::train;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

ModelOptions unusual_options() {
  return ModelOptions().vocab_size(123).d_model(48).heads(6).encoder_layers(5).decoder_layers(2)
      .ffn_dim(77).dropout(0.25).attention_dropout(0.125).pre_norm(true).tied_embeddings(false)
      .max_positions(321);
}

void check_same_options(const ModelOptions& a, const ModelOptions& b) {
  CHECK(a.vocab_size() == b.vocab_size());
  CHECK(a.d_model() == b.d_model());
  CHECK(a.heads() == b.heads());
  CHECK(a.encoder_layers() == b.encoder_layers());
  CHECK(a.decoder_layers() == b.decoder_layers());
  CHECK(a.ffn_dim() == b.ffn_dim());
  CHECK(a.dropout() == b.dropout());
  CHECK(a.attention_dropout() == b.attention_dropout());
  CHECK(a.pre_norm() == b.pre_norm());
  CHECK(a.tied_embeddings() == b.tied_embeddings());
  CHECK(a.max_positions() == b.max_positions());
}

}  // namespace

TEST_CASE("model config: write/read round trip of every field", "[checkpoint]") {
  const auto path = (fresh_dir("config_roundtrip") / "config.toml").string();
  const auto written = unusual_options();
  write_model_config(path, written);
  check_same_options(read_model_config(path), written);
  // Also with the other boolean values and defaults everywhere else.
  const auto other = ModelOptions().pre_norm(false).tied_embeddings(true).dropout(0.0);
  write_model_config(path, other);
  check_same_options(read_model_config(path), other);
}

TEST_CASE("model config: doubles survive the round trip exactly", "[checkpoint]") {
  // "so that a trained model can be rebuilt exactly" (options.h): no digits may be lost.
  const auto path = (fresh_dir("config_precision") / "config.toml").string();
  const auto written = unusual_options().dropout(1.0 / 3.0).attention_dropout(0.123456789);
  write_model_config(path, written);
  const auto read = read_model_config(path);
  CHECK(read.dropout() == written.dropout());
  CHECK(read.attention_dropout() == written.attention_dropout());
}

TEST_CASE("model config: errors name the file and the key", "[checkpoint]") {
  const auto dir = fresh_dir("config_errors");
  const auto good = (dir / "good.toml").string();
  write_model_config(good, unusual_options());
  const std::string text = read_text(good);
  const auto bad = (dir / "bad.toml").string();

  auto replace_line = [&](const std::string& key, const std::string& line) {
    std::istringstream in(text);
    std::string out, l;
    bool found = false;
    while (std::getline(in, l)) {
      if (l.rfind(key + " ", 0) == 0 || l.rfind(key + "=", 0) == 0) {
        found = true;
        if (!line.empty()) out += line + "\n";
      } else {
        out += l + "\n";
      }
    }
    REQUIRE(found);
    write_text(bad, out);
  };
  auto expect_error = [&](const std::string& must_contain) {
    auto t = capture([&] { read_model_config(bad); });
    INFO(t.message);
    CHECK(t.user_error);
    CHECK_THAT(t.message, Catch::Contains(must_contain));
    CHECK_THAT(t.message, Catch::Contains("bad.toml"));
  };

  SECTION("unknown key") {
    write_text(bad, text + "colour = 7\n");
    expect_error("colour");
  }
  SECTION("bad integer") {
    replace_line("d_model", "d_model = wide");
    expect_error("d_model");
  }
  SECTION("integer with trailing junk") {
    replace_line("heads", "heads = 6x");
    expect_error("heads");
  }
  SECTION("bad double") {
    replace_line("dropout", "dropout = lots");
    expect_error("dropout");
  }
  SECTION("bad boolean") {
    replace_line("pre_norm", "pre_norm = yes");
    expect_error("pre_norm");
  }
  SECTION("missing key") {
    replace_line("ffn_dim", "");
    expect_error("ffn_dim");
  }
  SECTION("missing file") {
    auto t = capture([&] { read_model_config((dir / "nope.toml").string()); });
    CHECK(t.user_error);
    CHECK_THAT(t.message, Catch::Contains("nope.toml"));
  }
  // The unmodified file still reads.
  CHECK_NOTHROW(read_model_config(good));
}

TEST_CASE("weights: save/load round trip reproduces the outputs", "[checkpoint]") {
  const auto dir = fresh_dir("weights");
  for (bool tied : {true, false}) {
    for (bool pre_norm : {false, true}) {
      INFO("tied " << tied << ", pre_norm " << pre_norm);
      const auto options = tiny_options(tied, pre_norm);
      auto saved = make_model(options, 1);
      {  // Make the output bias non-trivial (it starts at zero).
        torch::NoGradGuard no_grad;
        for (auto& p : saved->parameters()) p.add_(torch::randn_like(p) * 0.1);
      }
      const auto path = (dir / "w.pt").string();
      save_weights(saved, path);
      CHECK_FALSE(fs::exists(path + ".tmp"));
      auto loaded = make_model(options, 2);
      auto expected = probe(saved);
      REQUIRE_FALSE(torch::allclose(probe(loaded), expected));  // different before loading
      load_weights(loaded, path);
      loaded->eval();
      CHECK(torch::equal(probe(loaded), expected));
    }
  }
}

TEST_CASE("weights: loading into a model of another shape names the file", "[checkpoint]") {
  const auto dir = fresh_dir("weights_shape");
  auto saved = make_model(tiny_options(true), 1);
  const auto path = (dir / "small.pt").string();
  save_weights(saved, path);
  const std::vector<std::pair<std::string, ModelOptions>> others = {
      {"d_model", tiny_options(true).d_model(32)},
      {"ffn_dim", tiny_options(true).ffn_dim(40)},
      {"vocab_size", tiny_options(true, false, 37)},
      {"decoder_layers", tiny_options(true).decoder_layers(2)},
      {"untied", tiny_options(false)},
      {"pre_norm", tiny_options(true, true)},
  };
  for (const auto& [what, options] : others) {
    INFO("model differs in " << what);
    auto model = make_model(options, 3);
    auto t = capture([&] { load_weights(model, path); });
    INFO(t.message);
    CHECK(t.user_error);
    CHECK_THAT(t.message, Catch::Contains("small.pt"));
  }
  auto model = make_model(tiny_options(true), 3);
  auto t = capture([&] { load_weights(model, (dir / "absent.pt").string()); });
  CHECK(t.user_error);
  CHECK_THAT(t.message, Catch::Contains("absent.pt"));
}

TEST_CASE("train state: save/load round trip restores every field and torch's RNG", "[checkpoint]") {
  const auto path = (fresh_dir("state") / "last.state.pt").string();
  TrainState state;
  state.step = 12345;
  state.epoch = 7;
  state.batch_in_epoch = 89;
  state.train_seconds = 3601.25;
  state.tgt_tokens = 9876543210LL;
  state.validations = 11;
  state.best_bleu = 37.125;
  state.best_step = 12000;
  state.bad_validations = 2;
  state.epoch_rng.seed(99);
  state.epoch_rng.discard(5);
  state.rng.seed(42);
  state.rng.discard(1001);

  torch::manual_seed(77);
  torch::rand({3});  // move away from the seed's first draw
  save_train_state(path, state);
  CHECK_FALSE(fs::exists(path + ".tmp"));
  auto after_save = torch::rand({6});
  torch::rand({1000});
  torch::manual_seed(5);  // the generator now is somewhere else entirely
  auto elsewhere = torch::rand({6});
  REQUIRE_FALSE(torch::equal(elsewhere, after_save));

  auto loaded = load_train_state(path);
  auto after_load = torch::rand({6});
  CHECK(torch::equal(after_load, after_save));
  CHECK(loaded.step == state.step);
  CHECK(loaded.epoch == state.epoch);
  CHECK(loaded.batch_in_epoch == state.batch_in_epoch);
  CHECK(loaded.train_seconds == state.train_seconds);
  CHECK(loaded.tgt_tokens == state.tgt_tokens);
  CHECK(loaded.validations == state.validations);
  CHECK(loaded.best_bleu == state.best_bleu);
  CHECK(loaded.best_step == state.best_step);
  CHECK(loaded.bad_validations == state.bad_validations);
  CHECK(loaded.epoch_rng == state.epoch_rng);
  CHECK(loaded.rng == state.rng);
  CHECK(loaded.rng != loaded.epoch_rng);
  CHECK(loaded.rng() == state.rng());  // and they continue identically

  auto t = capture([&] { load_train_state(path + ".missing"); });
  CHECK(t.user_error);
  CHECK_THAT(t.message, Catch::Contains("last.state.pt.missing"));
}

TEST_CASE("load_model_dir: complete directory, best.pt first, each missing part named", "[checkpoint]") {
  const auto& vocab = toy_vocab();
  REQUIRE(vocab.size() == 64);
  const auto options = tiny_options(true, false, vocab.size());

  auto make_dir = [&](const std::string& name, bool best, bool last) {
    const auto dir = fresh_dir(name);
    ModelDir files(dir.string());
    write_model_config(files.config(), options);
    fs::copy_file(toy_vocab_file(), files.vocab());
    auto best_model = make_model(options, 10);
    auto last_model = make_model(options, 20);
    if (best) save_weights(best_model, files.best());
    if (last) save_weights(last_model, files.last());
    return std::make_tuple(files, probe(best_model), probe(last_model));
  };

  SECTION("complete directory loads best.pt") {
    auto [files, best_out, last_out] = make_dir("complete", true, true);
    auto loaded = load_model_dir(files.path);
    CHECK(loaded.weights == files.best());
    CHECK(loaded.vocab.size() == 64);
    CHECK(loaded.vocab.encode("der hund mag die katze") == vocab.encode("der hund mag die katze"));
    CHECK_FALSE(loaded.model->is_training());
    check_same_options(loaded.model->options(), options);
    CHECK(torch::equal(probe(loaded.model), best_out));
    CHECK_FALSE(torch::allclose(probe(loaded.model), last_out));
  }
  SECTION("without best.pt, last.pt") {
    auto [files, best_out, last_out] = make_dir("last_only", false, true);
    auto loaded = load_model_dir(files.path);
    CHECK(loaded.weights == files.last());
    CHECK(torch::equal(probe(loaded.model), last_out));
  }
  SECTION("missing parts") {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"config.toml", {"config.toml"}},
        {"spm.model", {"spm.model"}},
        {"weights", {"best.pt", "last.pt"}},
    };
    for (const auto& [part, remove] : cases) {
      INFO("missing " << part);
      auto [files, best_out, last_out] = make_dir("missing", true, true);
      const std::string dir = files.path;
      for (const auto& f : remove) REQUIRE(fs::remove(fs::path(dir) / f));
      auto t = capture([&] { load_model_dir(dir); });
      INFO(t.message);
      CHECK(t.user_error);
      CHECK_THAT(t.message, Catch::Contains(part == "weights" ? "last.pt" : part));
    }
    auto t = capture([&] { load_model_dir((temp_dir() / "no_such_dir").string()); });
    CHECK(t.user_error);
    CHECK_THAT(t.message, Catch::Contains("no_such_dir"));
  }
  SECTION("config and vocabulary disagree") {
    auto [files, best_out, last_out] = make_dir("mismatch", true, true);
    write_model_config(files.config(), tiny_options(true, false, 65));
    const std::string dir = files.path;
    auto t = capture([&] { load_model_dir(dir); });
    INFO(t.message);
    CHECK(t.user_error);
    CHECK_THAT(t.message, Catch::Contains("vocab_size"));
  }
}
