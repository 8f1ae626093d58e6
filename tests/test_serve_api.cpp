// The JSON API of `crosstalk serve` (docs/serving.md, "JSON API"), against an in-process server on
// 127.0.0.1 and an ephemeral port, with cpp-httplib's client: every endpoint, every bad
// input, batching of concurrent clients, a full queue, and a clean stop.
#include "serve_support.h"

#include <regex>

#include "crosstalk/align/aligner.h"
#include "crosstalk/align/attention_capture.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/serve/page.h"
#include "crosstalk/store/saved_selection.h"

namespace {

/// Every number in `text` has at most 6 significant digits.
void check_six_digits(const std::string& text) {
  const std::regex number(R"((^|[\[,:])(-?[0-9][0-9.]*)([eE][-+]?[0-9]+)?)");
  int checked = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it, ++checked) {
    std::string digits = (*it)[2].str();
    digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
    INFO("number " << (*it)[0].str());
    CHECK(digits.size() <= 6);
  }
  CHECK(checked > 0);
}

/// The keys and shapes every Result has (with_attention: the matrices too).
void check_result(const json& r, bool with_attention) {
  INFO("result: " << r.dump().substr(0, 800));
  for (const char* key : {"source", "translation", "target", "nbest", "src_pieces", "tgt_pieces", "src_words",
                          "tgt_words", "src_piece_word", "tgt_piece_word", "layers", "heads", "selection",
                          "selection_layer", "selection_head", "alignment", "alignment_pairs", "symmetrize",
                          "truncated"})
    CHECK(r.contains(key));
  CHECK(r["translation"] == r["target"]);
  CHECK(r["src_pieces"].back() == "</s>");
  CHECK(r["tgt_words"].back() == "</s>");
  CHECK(r["src_piece_word"].size() == r["src_pieces"].size());
  CHECK(r["layers"] == 1);
  CHECK(r["heads"] == 2);
  CHECK(r["selection"] == "layer 1 of 1, heads averaged");
  CHECK(r["selection_layer"] == 1);
  CHECK(r["selection_head"] == 0);
  std::string pharaoh;
  for (const auto& pair : r["alignment_pairs"])
    pharaoh += (pharaoh.empty() ? "" : " ") + std::to_string(pair[0].get<int>()) + "-" + std::to_string(pair[1].get<int>());
  CHECK(pharaoh == r["alignment"]);
  CHECK(r.contains("attention") == with_attention);
  CHECK(r.contains("word_attention") == with_attention);
  if (!with_attention) return;
  const auto& a = r["attention"];
  REQUIRE(a.size() == 1);
  REQUIRE(a[0].size() == 2);
  REQUIRE(a[0][0].size() == r["tgt_pieces"].size());
  for (const auto& row : a[0][1]) {
    REQUIRE(row.size() == r["src_pieces"].size());
    double sum = 0;
    for (const auto& x : row) sum += x.get<double>();
    CHECK(sum == Approx(1.0).margin(1e-4));
  }
  REQUIRE(r["word_attention"].size() == r["tgt_words"].size());
  CHECK(r["word_attention"][0].size() == r["src_words"].size());
}

std::vector<std::string> toy_sources(size_t n) {
  auto lines = read_lines(source_path("data/toy/valid.de"));
  lines.resize(n);
  return lines;
}

}  // namespace

TEST_CASE("serve: health and model and train log and the page", "[serve]") {
  TestServer s;
  CHECK(body_json(get(s, "/health")) == json{{"status", "ok"}});
  const auto model = body_json(get(s, "/api/model"));
  CHECK(model["model_dir"] == trained_tiny().path());
  CHECK(model["layers"] == 1);
  CHECK(model["heads"] == 2);
  CHECK(model["d_model"] == 32);
  CHECK(model["vocab_size"] == 64);
  CHECK(model["parameters"].get<int64_t>() > 0);
  CHECK(model["config"]["d_model"] == 32);
  CHECK(model["config"]["tied_embeddings"].is_boolean());
  CHECK(model["default_selection"] ==
        json{{"layer", 1}, {"head", 0}, {"description", "layer 1 of 1, heads averaged"}, {"origin", ""}});
  CHECK(model["reverse_model"].is_null());
  CHECK(model["symmetrize"].is_null());
  CHECK(model["train_log"] == true);
  const auto log = body_json(get(s, "/api/train_log"));
  REQUIRE(log["entries"].size() > 0);
  for (const auto& e : log["entries"]) {
    CHECK((e["event"] == "train" || e["event"] == "valid"));
    CHECK(e.contains("step"));
  }
  for (const auto& asset : serve::page_assets()) {
    const auto r = get(s, std::string(asset.path));
    CHECK(r->status == 200);
    CHECK(r->body == asset.body);
    CHECK(r->get_header_value("Content-Type") == asset.content_type);
  }
  CHECK(get(s, "/indexXhtml")->status == 404);  // a file's path is matched literally
  const auto root = get(s, "/");
  CHECK(root->status == 200);
  CHECK(root->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(root->body == get(s, "/index.html")->body);
}

TEST_CASE("serve: the model's alignment.toml sets the reading, as for align and translate", "[serve]") {
  TempDir tmp;
  const auto dir = tmp / "model";
  std::filesystem::copy(trained_tiny().path(), dir);
  crosstalk::store::SavedSelection saved;
  saved.attention = {0, 2};  // all layers averaged, head 2
  saved.origin = "set by the test";
  crosstalk::store::write_selection(dir, saved);
  {
    TestServer s({}, dir);
    const auto model = body_json(get(s, "/api/model"));
    CHECK(model["default_selection"] == json{{"layer", 0}, {"head", 2},
                                             {"description", "all 1 layers averaged, head 2 of 2"},
                                             {"origin", "set by the test"}});
    const auto r = body_json(post(s, "/api/translate", R"({"text": "ein mann", "attention": true})"));
    CHECK(r["selection_layer"] == 0);
    CHECK(r["selection_head"] == 2);
    CHECK(r["selection"] == "all 1 layers averaged, head 2 of 2");
    const auto a = body_json(post(s, "/api/align", R"({"source": "ein mann", "target": "a man"})"));
    CHECK(a["selection_head"] == 2);
  }
  // A reading the model does not have stops the server before it listens.
  saved.attention = {3, 0};
  crosstalk::store::write_selection(dir, saved);
  crosstalk::serve::ServedModel served;
  served.dir = dir;
  served.loaded = crosstalk::store::load_model_dir(dir);
  CHECK_THROWS_WITH(crosstalk::serve::Server(std::move(served), {}),
                    Catch::Contains("alignment.toml") && Catch::Contains("layer 3: the decoder has layers 1..1"));
}

TEST_CASE("serve: loopback addresses are told apart from others", "[serve]") {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) CHECK(serve::is_loopback(host));
  for (const char* host : {"0.0.0.0", "::", "192.168.1.2", "example.org"}) CHECK_FALSE(serve::is_loopback(host));
}

TEST_CASE("serve: translate one text and many texts", "[serve]") {
  TestServer s;
  const auto sources = toy_sources(3);
  const auto one = post(s, "/api/translate", json{{"text", sources[0]}}.dump());
  REQUIRE(one->status == 200);
  const auto r = body_json(one);
  check_result(r, false);
  CHECK(r["source"] == sources[0]);
  CHECK(r["nbest"].size() == 1);
  CHECK(r["nbest"][0]["text"] == r["translation"]);
  CHECK(r["truncated"] == false);
  check_six_digits(one->body);

  const auto with_attention = post(s, "/api/translate", json{{"text", sources[0]}, {"beam", 4}, {"nbest", 3},
                                                              {"attention", true}}.dump());
  REQUIRE(with_attention->status == 200);
  const auto a = body_json(with_attention);
  check_result(a, true);
  CHECK(a["translation"] == r["translation"]);  // beam 4 is the default
  REQUIRE(a["nbest"].size() == 3);
  CHECK(a["nbest"][0]["score"].get<double>() >= a["nbest"][1]["score"].get<double>());
  check_six_digits(with_attention->body);

  const auto many = post(s, "/api/translate", json{{"texts", sources}, {"beam", 1}}.dump());
  REQUIRE(many->status == 200);
  const auto m = body_json(many);
  REQUIRE(m["results"].size() == 3);
  // The server's translations are the Translator's, in request order.
  auto loaded = crosstalk::store::load_model_dir(trained_tiny().path());
  crosstalk::search::Translator translator(loaded.model, loaded.vocab, torch::kCPU);
  crosstalk::search::DecodeOptions greedy;
  const auto expected = translator.translate_text(sources, greedy);
  for (size_t i = 0; i < 3; ++i) {
    check_result(m["results"][i], false);
    CHECK(m["results"][i]["source"] == sources[i]);
    CHECK(m["results"][i]["translation"] == expected[i]);
  }
}

TEST_CASE("serve: translate with a prefix: the translation starts with it, the forced part scored apart",
          "[serve]") {
  TestServer s;
  const auto sources = toy_sources(3);
  const auto plain = body_json(post(s, "/api/translate", json{{"text", sources[0]}, {"beam", 1}}.dump()));
  const auto first_word = plain["translation"].get<std::string>().substr(0, plain["translation"].get<std::string>().find(' '));
  for (const std::string prefix : {first_word + " ", first_word + " z", std::string("zz")}) {
    const auto res = post(s, "/api/translate", json{{"text", sources[0]}, {"prefix", prefix}, {"beam", 2}, {"nbest", 2}}.dump());
    REQUIRE(res->status == 200);
    const auto r = body_json(res);
    INFO("prefix '" << prefix << "' -> " << r["translation"]);
    check_result(r, false);
    CHECK(r["translation"].get<std::string>().rfind(prefix, 0) == 0);
    CHECK(r["prefix"] == prefix);
    CHECK(r["prefix_pieces"].get<int64_t>() >= 1);
    CHECK(r["prefix_relaxed"] == false);
    for (const auto& h : r["nbest"]) {
      CHECK(h["text"].get<std::string>().rfind(prefix, 0) == 0);
      CHECK(h["prefix_logprob"].get<double>() <= 0.0);
      CHECK(h["completion_logprob"].get<double>() <= 0.0);
    }
    CHECK(r["nbest"][0]["text"] != r["nbest"][1]["text"]);
  }
  // "prefixes" with "texts", "" for none: that one is the ordinary translation.
  const auto m = body_json(post(s, "/api/translate",
                                json{{"texts", sources}, {"prefixes", {"", "a ", "the ma"}}, {"beam", 1}}.dump()));
  REQUIRE(m["results"].size() == 3);
  CHECK(m["results"][0]["translation"] == plain["translation"]);
  CHECK_FALSE(m["results"][0].contains("prefix"));
  CHECK(m["results"][1]["translation"].get<std::string>().rfind("a ", 0) == 0);
  CHECK(m["results"][2]["translation"].get<std::string>().rfind("the ma", 0) == 0);
}

TEST_CASE("serve: complete gives the completion with its attention and the next-word alternatives", "[serve]") {
  TestServer s;
  const auto sources = toy_sources(1);
  const auto plain = body_json(post(s, "/api/translate", json{{"text", sources[0]}, {"beam", 1}}.dump()));
  const auto translation = plain["translation"].get<std::string>();
  const auto first_word = translation.substr(0, translation.find(' '));
  for (const std::string prefix : {std::string(), first_word + " ", first_word.substr(0, 1)}) {
    const auto res = post(s, "/api/complete", json{{"text", sources[0]}, {"prefix", prefix}, {"k", 2}}.dump());
    REQUIRE(res->status == 200);
    const auto r = body_json(res);
    INFO("prefix '" << prefix << "': " << r.dump());
    const auto& c = r["completion"];
    check_result(c, true);  // the attention by default
    CHECK(c["translation"].get<std::string>().rfind(prefix, 0) == 0);
    CHECK(c["prefix"] == prefix);
    CHECK(c["prefix_relaxed"] == false);  // the same keys with an empty prefix as with any other
    CHECK(c.contains("prefix_pieces"));
    // The pieces of the prefix's complete words: all the pieces before its last word when that
    // one is unfinished, never more than the constrained ones.
    const auto words = c["prefix_word_pieces"].get<int64_t>();
    CHECK(words <= c["prefix_pieces"].get<int64_t>());
    if (prefix.find(' ') == std::string::npos) CHECK(words == 0);  // no complete word ("" or a first letter)
    else CHECK(words >= 1);
    if (prefix.empty()) CHECK(c["translation"] == translation);  // greedy by default: the ordinary translation
    REQUIRE(r["alternatives"].is_array());
    REQUIRE(r["alternatives"].size() >= 1);
    CHECK(r["alternatives"].size() <= 2);
    for (const auto& a : r["alternatives"]) {
      CHECK(a["probability"].get<double>() > 0.0);
      CHECK(a["probability"].get<double>() <= 1.0);
      // Each leads to a translation that starts with the prefix's complete words and the word.
      const auto word = a["word"].get<std::string>();
      CHECK(a["completion"].get<std::string>().find(word) != std::string::npos);
    }
  }
}

TEST_CASE("serve: align a given pair", "[serve]") {
  TestServer s;
  const std::string src = "ein pferd schläft", tgt = "a horse sleeps";
  const auto res = post(s, "/api/align", json{{"source", src}, {"target", tgt}}.dump());
  REQUIRE(res->status == 200);
  const auto r = body_json(res);
  check_result(r, true);
  CHECK(r["translation"] == tgt);
  CHECK(r["nbest"] == json::array());
  auto loaded = crosstalk::store::load_model_dir(trained_tiny().path());
  const auto records = crosstalk::align::forced_attention(loaded.model, loaded.vocab, {src}, {tgt});
  CHECK(r["alignment"] == crosstalk::align::to_pharaoh(records[0].alignment({})));
  CHECK(r["src_words"] == json{"ein", "pferd", "schläft", "</s>"});
  CHECK(r["tgt_words"] == json{"a", "horse", "sleeps", "</s>"});
  check_six_digits(res->body);
  const auto plain = body_json(post(s, "/api/align", json{{"source", src}, {"target", tgt}, {"attention", false}}.dump()));
  check_result(plain, false);
  CHECK(plain["alignment"] == r["alignment"]);
}

// The tiny model stands in for its own reverse model: reading (target, source) with one
// vocabulary splits both sentences into the same words, so every pair is symmetrized.
TEST_CASE("serve --reverse-model: every result carries the links of both directions symmetrized", "[serve]") {
  auto model = TestServer::served();
  model.reverse_dir = model.dir;
  model.reverse = crosstalk::store::load_model_dir(model.dir);
  model.method = crosstalk::align::SymmetrizeMethod::grow_diag_final_and;
  TestServer s(std::move(model), {});
  const auto info = body_json(get(s, "/api/model"));
  CHECK(info["reverse_model"] == trained_tiny().path());
  CHECK(info["symmetrize"] == "grow-diag-final-and");
  auto loaded = crosstalk::store::load_model_dir(trained_tiny().path());
  crosstalk::align::Aligner expected({loaded.model, &loaded.vocab},
                                     crosstalk::align::AligningModel{loaded.model, &loaded.vocab},
                                     {{}, 0.0, crosstalk::align::SymmetrizeMethod::grow_diag_final_and, 8});
  const std::string src = "ein pferd schläft", tgt = "a horse sleeps";
  const auto a = body_json(post(s, "/api/align", json{{"source", src}, {"target", tgt}}.dump()));
  check_result(a, true);
  CHECK(a["symmetrize"] == "grow-diag-final-and");
  const auto pair = expected.align({src}, {tgt}, [](size_t) { return "test"; }).at(0);
  REQUIRE(pair.symmetrized);
  CHECK_FALSE(pair.symmetrized->mismatch);
  CHECK(a["alignment"] == crosstalk::align::to_pharaoh(pair.links()));
  const auto t = body_json(post(s, "/api/translate", json{{"text", src}}.dump()));
  check_result(t, false);
  CHECK(t["symmetrize"] == "grow-diag-final-and");
  const auto own = expected.align({src}, {t["translation"].get<std::string>()}, [](size_t) { return "test"; }).at(0);
  CHECK(t["alignment"] == crosstalk::align::to_pharaoh(own.links()));
}

TEST_CASE("serve --reverse-model: a saved reading the reverse model lacks stops the server", "[serve]") {
  TempDir tmp;
  const auto dir = tmp / "model";
  std::filesystem::copy(trained_tiny().path(), dir);
  crosstalk::store::SavedSelection saved;
  saved.attention = {1, 2};
  crosstalk::store::write_selection(dir, saved);
  auto model = TestServer::served(dir);
  model.reverse_dir = "reverse-dir";
  model.reverse = crosstalk::store::load_model_dir(trained_tiny().path());
  model.reverse.model = crosstalk::model::Transformer(crosstalk::model::ModelOptions(model.reverse.model->options()).heads(1));
  CHECK_THROWS_WITH(serve::Server(std::move(model), {}),
                    Catch::Contains("--reverse-model 'reverse-dir': head 2") && Catch::Contains("1..1"));
}
