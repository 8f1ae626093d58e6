#pragma once

// How a model's cross-attention is read as word alignments: which layer and head
// (AttentionSelection) and, with a reverse model, which symmetrization method. A leaf
// of plain types and names, free of torch, so that the model store (which keeps a
// model's reading in alignment.toml) and every reader share one definition.

#include <cstdint>
#include <string>
#include <vector>

namespace crosstalk::align {

/// Which cross-attention to look at. Layers and heads count from 1 (as shown in
/// titles and on the command line); 0 means the average.
struct AttentionSelection {
  static constexpr int64_t kDefaultLayer = -1;
  int64_t layer = kDefaultLayer;  // 1..layers, 0 = all layers averaged, -1 = default_alignment_layer()
  int64_t head = 0;               // 1..heads, 0 = heads averaged
};

/// The layer read as alignments when none is asked for, for a decoder of `layers` layers:
/// 0 (all layers averaged) from two layers on, chosen on two dev golds (docs/alignment.md).
int64_t default_alignment_layer(int64_t layers);
/// The layer that guided alignment training supervises when none is asked for: the
/// second-to-last (Garg et al., 2019), the one the guided figures in docs/alignment.md use.
int64_t default_guided_layer(int64_t layers);

/// The selection's layer with "default" resolved: 1..layers, or 0 (all averaged).
int64_t resolved_layer(const AttentionSelection& selection, int64_t layers);
/// The same for the layer that guided training supervises (default_guided_layer).
int64_t resolved_guided_layer(const AttentionSelection& selection, int64_t layers);

/// The spellings of flags and files: a layer is "N" (from 1), "all" (0) or "default"
/// (kDefaultLayer); a head is "N" or "avg" (0). UserError "<what> must be a number from
/// 1 or 'all' or 'default', got 'x'" otherwise.
int64_t parse_layer(const std::string& text, const std::string& what);
int64_t parse_head(const std::string& text, const std::string& what);
/// Back to that spelling: "2", "all", "default"; "3", "avg".
std::string layer_text(int64_t layer);
std::string head_text(int64_t head);

/// What the range errors call the layer and the head (a flag, or a file's key).
struct SelectionNames {
  std::string layer = "layer", head = "head";
};
/// The one range check of a selection against a decoder of `layers` layers of `heads`
/// heads: UserError "<names.layer> L: the decoder has layers 1..N (or 'all')", or
/// "<names.head> H: each layer has heads 1..N (or 'avg')".
void check_selection(const AttentionSelection& selection, int64_t layers, int64_t heads,
                     const SelectionNames& names = {});

/// "layer 5 of 6" or "all 6 layers averaged" (the default layer resolved).
std::string describe_layer(const AttentionSelection& selection, int64_t layers);

/// "layer 5 of 6, heads averaged", "all 6 layers averaged, head 2 of 4", ...
std::string describe(const AttentionSelection& selection, int64_t layers, int64_t heads);

enum class SymmetrizeMethod {
  // Hard heuristics of Koehn et al. (2003) over two link sets, as fast_align's `atools -c`.
  intersect,
  union_links,  // "union"
  grow_diag,
  grow_diag_final,
  grow_diag_final_and,
  // Soft: over the two word-level attention matrices (see combine_soft).
  soft_mean,
  soft_product,
  // Soft, then links grown from the mutual argmax (see soft_links).
  soft_mean_gdfa,
  soft_product_gdfa,
};

/// The method `align --reverse-model` uses when --symmetrize is not given (and the
/// model directory saved none): the lowest AER on the dev golds (docs/alignment.md).
inline constexpr SymmetrizeMethod kDefaultSymmetrizeMethod = SymmetrizeMethod::soft_product_gdfa;

/// "intersect", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and",
/// "soft-mean", "soft-product", "soft-mean-gdfa", "soft-product-gdfa".
std::string method_name(SymmetrizeMethod method);
/// Every method name, in the order above.
const std::vector<std::string>& symmetrize_method_names();
/// The method called `name`; UserError naming `flag` and listing the methods otherwise.
SymmetrizeMethod parse_symmetrize_method(const std::string& name, const std::string& flag);
/// The soft methods (soft-mean, soft-product and their -gdfa forms) work on matrices;
/// the others on link sets.
bool is_soft(SymmetrizeMethod method);

}  // namespace crosstalk::align
