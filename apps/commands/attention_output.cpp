#include "commands/attention_output.h"

#include <cstdio>
#include <filesystem>

#include "crosstalk/align/symmetrize.h"
#include "crosstalk/common/error.h"

#include <spdlog/spdlog.h>

namespace crosstalk::app {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

void AttentionFlags::add_to(CLI::App& app) {
  app.add_option("--layer", layer, "decoder layer whose cross-attention is used: N (from 1), 'all' (averaged) or "
                                   "'default' (all layers averaged: docs/alignment.md)")
      ->capture_default_str();
  app.add_option("--head", head, "attention head: N (from 1) or 'avg' (all heads averaged)")->capture_default_str();
  app.add_option("--align-threshold", threshold,
                 "0: link each target word to its argmax source word; > 0: link every source word whose "
                 "weight (renormalized without EOS) is at least this")
      ->capture_default_str();
  app.add_option("--heatmap", heatmap_dir, "write a cross-attention heatmap per sentence into this directory");
  app.add_option("--heatmap-format", heatmap_format, "svg, png or both")->capture_default_str();
  app.add_flag("--heads-grid", heads_grid, "heatmaps show every head of the layer side by side");
  app.add_option("--json", json, "write the raw attention (pieces, words, layers x heads x tgt x src) to this file");
}

align::AttentionSelection AttentionFlags::selection() const {
  align::AttentionSelection s;
  s.layer = align::parse_layer(layer, "--layer");
  s.head = align::parse_head(head, "--head");
  return s;
}

void AttentionFlags::validate(bool interactive) const {
  selection();
  if (threshold < 0.0 || threshold > 1.0) throw UserError("--align-threshold must be between 0 and 1");
  if (heatmap_format != "svg" && heatmap_format != "png" && heatmap_format != "both")
    throw UserError("--heatmap-format must be svg, png or both, got '" + heatmap_format + "'");
  if (heads_grid && heatmap_dir.empty() && !interactive) throw UserError("--heads-grid needs --heatmap DIR");
  if (!heatmap_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(heatmap_dir, ec);
    if (ec || !std::filesystem::is_directory(heatmap_dir))
      throw UserError("cannot create --heatmap directory '" + heatmap_dir + "'" + (ec ? ": " + ec.message() : ""));
  }
}

void AttentionFlags::check_model(int64_t layers, int64_t heads) const {
  align::check_selection(selection(), layers, heads, {"--layer", "--head"});
}

void ReverseFlags::add_to(CLI::App& app, const std::string& what) {
  app.add_option("--reverse-model", model_dir, what);
  std::string list;
  for (const auto& name : align::symmetrize_method_names()) list += (list.empty() ? "" : ", ") + name;
  app.add_option("--symmetrize", method_name,
                 "with --reverse-model: " + list + " (default " + align::method_name(align::kDefaultSymmetrizeMethod) +
                     ")");
}

align::SymmetrizeMethod ReverseFlags::method() const {
  if (method_name.empty()) return align::kDefaultSymmetrizeMethod;
  const auto method = align::parse_symmetrize_method(method_name, "--symmetrize");
  if (!given()) throw UserError("--symmetrize needs --reverse-model DIR (a model trained target->source)");
  return method;
}

store::LoadedModel ReverseFlags::load(const torch::Device& device) const {
  store::LoadedModel loaded;
  try {
    loaded = store::load_model_dir(model_dir);
  } catch (const UserError& e) {
    throw UserError(std::string("--reverse-model: ") + e.what());
  }
  loaded.model->to(device);
  return loaded;
}

store::LoadedModel ReverseFlags::load(const torch::Device& device, const AttentionFlags& flags) const {
  auto loaded = load(device);
  try {
    flags.check_model(loaded.model->options().decoder_layers(), loaded.model->options().heads());
  } catch (const UserError& e) {
    throw UserError(std::string(e.what()) + " in --reverse-model '" + model_dir + "'");
  }
  return loaded;
}

std::optional<align::AligningModel> aligning_model(store::LoadedModel* reverse) {
  if (!reverse) return std::nullopt;
  return align::AligningModel{reverse->model, &reverse->vocab};
}

std::string apply_saved_selection(const CLI::App& app, const std::string& model_dir, AttentionFlags* flags,
                                  ReverseFlags* reverse) {
  const auto saved = store::read_selection(model_dir);
  if (!saved) return "";
  const bool attention_open = app.count("--layer") == 0 && app.count("--head") == 0;
  const bool method_open = reverse != nullptr && reverse->given() && app.count("--symmetrize") == 0;
  if (!attention_open && !method_open) return "";
  std::string used;
  if (attention_open) {
    flags->layer = align::layer_text(saved->attention.layer);
    flags->head = align::head_text(saved->attention.head);
    used = "--layer " + flags->layer + " --head " + flags->head;
  }
  if (method_open) {
    reverse->method_name = align::method_name(saved->method);
    used += (used.empty() ? "" : " ") + std::string("--symmetrize ") + reverse->method_name;
  }
  spdlog::info("alignment selection from {}: {} ({})", store::selection_path(model_dir), used,
               saved->origin.empty() ? "origin not recorded" : saved->origin);
  return "saved selection: " + (saved->origin.empty() ? used : saved->origin);
}

render::Heatmap make_heatmap(const align::AttentionRecord& record, const align::AttentionSelection& selection,
                            bool heads_grid, int64_t sentence, const std::string& what, const align::Alignment& links) {
  const int64_t layers = record.layers(), heads = record.heads();
  render::Heatmap h;
  const std::string where = heads_grid
                                ? align::describe_layer(selection, layers) + ", all " + std::to_string(heads) + " heads"
                                : align::describe(selection, layers, heads);
  const int64_t forced = record.forced_words();
  h.title = "Cross-attention \xC2\xB7 sentence " + std::to_string(sentence) + " \xC2\xB7 " + where +
            (what.empty() ? "" : " \xC2\xB7 " + what) +
            (forced > 0 ? std::string(" \xC2\xB7 blue rows: the prefix") : std::string());
  if (!heads_grid) {
    h.panels.push_back({"", record.word_matrix(selection), links, forced});
    return h;
  }
  for (int64_t k = 1; k <= heads; ++k) {
    auto one = selection;
    one.head = k;
    h.panels.push_back({"head " + std::to_string(k), record.word_matrix(one), {}, forced});
  }
  return h;
}

std::vector<std::string> save_heatmap_files(const render::Heatmap& heatmap, const std::string& path) {
  if (ends_with(path, ".svg") || ends_with(path, ".png")) {
    render::save_heatmap(heatmap, path);
    return {path};
  }
  render::save_heatmap(heatmap, path + ".svg");
  render::save_heatmap(heatmap, path + ".png");
  return {path + ".svg", path + ".png"};
}

AttentionFiles::AttentionFiles(const AttentionFlags& flags, std::string what)
    : flags_(flags), selection_(flags.selection()), what_(std::move(what)) {
  if (!flags.json.empty()) json_ = std::make_unique<align::AttentionJsonWriter>(flags.json);
}

void AttentionFiles::add(int64_t sentence, const std::string& source, const std::string& target,
                         const align::AttentionRecord& record, const align::Alignment& alignment,
                         const align::SymmetrizedJson* symmetrized) {
  if (json_) json_->add(sentence, source, target, record, selection_, alignment, symmetrized);
  if (flags_.heatmap_dir.empty()) return;
  auto heatmap = make_heatmap(record, selection_, flags_.heads_grid, sentence, what_, alignment);
  if (symmetrized && !flags_.heads_grid && !symmetrized->reverse_words.weights.empty()) {
    // A symmetrized run: the forward map, the reverse one transposed, and the combined one
    // (a hard method combines links, not weights: its panel shows the mean of the two maps).
    heatmap.title += " \xC2\xB7 symmetrized with " + symmetrized->method;
    heatmap.panels[0].caption = "forward";
    heatmap.panels.push_back({"reverse, transposed", symmetrized->reverse_words, symmetrized->reverse_alignment});
    if (!symmetrized->combined.weights.empty()) {
      heatmap.panels.push_back({symmetrized->method, symmetrized->combined, symmetrized->symmetrized});
    } else {
      heatmap.panels.push_back({symmetrized->method + " (on the mean)",
                                align::combine_soft(heatmap.panels[0].matrix, symmetrized->reverse_words,
                                                    align::SymmetrizeMethod::soft_mean),
                                symmetrized->symmetrized});
    }
    heatmap.links_note = "word alignment links: each direction's own, and the symmetrized ones";
  }
  char name[32];
  std::snprintf(name, sizeof(name), "sentence-%04lld", static_cast<long long>(sentence));
  const std::string stem = (std::filesystem::path(flags_.heatmap_dir) / name).string();
  if (flags_.heatmap_format == "both") {
    images_ += static_cast<int64_t>(save_heatmap_files(heatmap, stem).size());
  } else {
    render::save_heatmap(heatmap, stem + "." + flags_.heatmap_format);
    ++images_;
  }
}

void AttentionFiles::close() {
  if (json_) json_->close();
}

}  // namespace crosstalk::app
