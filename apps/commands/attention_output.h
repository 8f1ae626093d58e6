#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "crosstalk/align/alignment.h"
#include "crosstalk/align/attention_json.h"
#include "crosstalk/align/aligner.h"
#include "crosstalk/align/attention_record.h"
#include "crosstalk/render/heatmap.h"
#include "crosstalk/align/pair_symmetrize.h"
#include "crosstalk/store/saved_selection.h"
#include "crosstalk/store/loaded_model.h"

namespace crosstalk::app {

/// The flags `align` and `translate` share for looking at cross-attention.
struct AttentionFlags {
  std::string layer = "default";  // N (from 1), "all", or "default" (align::default_alignment_layer)
  std::string head = "avg";       // N (from 1) or "avg"
  double threshold = 0.0;         // 0: argmax per target word; else soft threshold
  std::string heatmap_dir;
  std::string heatmap_format = "both";  // svg, png or both
  bool heads_grid = false;
  std::string json;

  void add_to(CLI::App& app);
  /// --layer / --head as a selection; UserError on a bad value.
  align::AttentionSelection selection() const;
  /// Checks the values (UserError) and creates the heatmap directory. Interactively,
  /// --heads-grid shapes the images :save writes, so it needs no --heatmap there.
  void validate(bool interactive = false) const;
  /// UserError if --layer / --head name a layer or head the model does not have.
  void check_model(int64_t layers, int64_t heads) const;
  bool wants_files() const { return !heatmap_dir.empty() || !json.empty(); }
};

/// --reverse-model and --symmetrize, shared by `align` and `translate --alignment`.
struct ReverseFlags {
  std::string model_dir;    // empty: no reverse model
  std::string method_name;  // empty: align::kDefaultSymmetrizeMethod

  /// `what` is the help text of --reverse-model.
  void add_to(CLI::App& app, const std::string& what);
  bool given() const { return !model_dir.empty(); }
  /// The --symmetrize method; UserError for an unknown name, or for --symmetrize
  /// without --reverse-model.
  align::SymmetrizeMethod method() const;
  /// Loads --reverse-model onto `device` and checks that --layer / --head exist in it
  /// (UserError naming --reverse-model otherwise).
  store::LoadedModel load(const torch::Device& device, const AttentionFlags& flags) const;
  /// Loads --reverse-model onto `device` (UserError naming --reverse-model).
  store::LoadedModel load(const torch::Device& device) const;
};

/// The reverse model as the aligner takes it: none for a null `reverse`.
std::optional<align::AligningModel> aligning_model(store::LoadedModel* reverse);

/// The model directory's alignment.toml (align/saved_selection.h) fills in what the
/// command line left open: --layer and --head when neither was given (a --config file
/// counts as given), --symmetrize when it was not. Logs what it used. Returns a short
/// note for titles ("saved selection: <origin>"), empty when the file was not used.
std::string apply_saved_selection(const CLI::App& app, const std::string& model_dir, AttentionFlags* flags,
                                  ReverseFlags* reverse);

/// The heatmap of one record: the selected layer/head, or with heads_grid every
/// head of the selected layer. `what` goes into the title (e.g. "forced alignment").
/// `links` are marked on the single panel (not on a heads grid, whose heads they do not
/// come from).
render::Heatmap make_heatmap(const align::AttentionRecord& record, const align::AttentionSelection& selection,
                            bool heads_grid, int64_t sentence, const std::string& what,
                            const align::Alignment& links = {});

/// Writes `heatmap` to `path`; without an .svg / .png extension, to path.svg and path.png.
/// Returns the paths written.
std::vector<std::string> save_heatmap_files(const render::Heatmap& heatmap, const std::string& path);

/// Heatmap images and the JSON file for a stream of sentences.
class AttentionFiles {
 public:
  explicit AttentionFiles(const AttentionFlags& flags, std::string what);
  /// sentence counts from 1 (the input line number); `alignment` is the forward links,
  /// marked on the (single) forward panel. With `symmetrized` (--reverse-model), the JSON
  /// gets its keys and a heatmap without --heads-grid shows the forward map, the reverse
  /// one transposed and the symmetrized one (a soft method's combined matrix; for a hard
  /// method the mean of the two), each with its own links marked.
  void add(int64_t sentence, const std::string& source, const std::string& target,
           const align::AttentionRecord& record, const align::Alignment& alignment,
           const align::SymmetrizedJson* symmetrized = nullptr);
  void close();
  int64_t images() const { return images_; }

 private:
  const AttentionFlags& flags_;
  align::AttentionSelection selection_;
  std::string what_;
  std::unique_ptr<align::AttentionJsonWriter> json_;
  int64_t images_ = 0;
};

}  // namespace crosstalk::app
