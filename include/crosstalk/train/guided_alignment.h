#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/alignment.h"
#include "crosstalk/align/selection.h"
#include "crosstalk/model/options.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::train {

/// Words as crosstalk's alignments count them: the tokens between spaces after
/// SentencePiece's NFKC normalization, which turns the Unicode spaces (U+00A0,
/// U+2000..U+200A, ...) into ' ': "Nummer\u00A028." is two words, as align writes it.
int64_t whitespace_words(const std::string& line);

/// Guided alignment training (Garg et al. 2019, "Jointly Learning to Align and
/// Translate with Transformer Models"; Marian's --guided-alignment): one
/// cross-attention of the decoder is trained towards given word alignments by an
/// extra cross-entropy, added to the translation loss with `weight`.
struct GuidedAlignmentOptions {
  /// Pharaoh links "src-tgt" of the training corpus, one line per line of the
  /// training files, 0-based whitespace words; empty: guided training is off.
  std::string path;
  /// The alignment loss (summed over linked target pieces) is added to the
  /// translation loss (summed over target tokens) with this factor; 0.5 was chosen on
  /// the dev gold against Garg et al.'s (and fairseq's) 0.05 (docs/alignment.md,
  /// "Guided alignment training").
  double weight = 0.5;
  /// The cross-attention guided: by default the default layer, heads averaged (the
  /// matrix align reads by default); any layer and head, or their averages.
  align::AttentionSelection attention;

  bool enabled() const { return !path.empty(); }
};

/// A link between target piece `tgt` and source piece `src` (0-based, BOS/EOS excluded).
struct PieceLink {
  int32_t tgt = 0;
  int32_t src = 0;
  bool operator==(const PieceLink& o) const { return tgt == o.tgt && src == o.src; }
};

/// Word links -> piece links: a target piece is linked to every piece of every
/// source word that its word is linked to. `src_piece_word[p]` / `tgt_piece_word[p]`
/// is the word of piece p (align::Segmentation::piece_word without EOS). Sorted
/// by (tgt, src), no duplicates. Links to words that have no piece are ignored.
std::vector<PieceLink> map_word_links(const align::Alignment& links, const std::vector<int64_t>& src_piece_word,
                                      const std::vector<int64_t>& tgt_piece_word);

/// Reads the alignment file of a training corpus. The file must have one line per
/// line of the training files (corpus.file_lines); every link must be "i-j" with i
/// below the source line's word count and j below the target's. Words are the
/// whitespace-separated tokens, Unicode spaces (U+00A0 ...) included, as SentencePiece's
/// normalization makes them and align writes them. Returns
/// the links of each pair the corpus kept (corpus.line_numbers), in order.
/// UserError "FILE:LINE: ..." for a bad link, or naming both counts when they differ.
std::vector<align::Alignment> read_guided_alignment(const std::string& path, const text::ParallelCorpus& corpus);

struct Example;

/// What attach_piece_links() did.
struct PieceLinkStats {
  int64_t pairs_with_links = 0;
  int64_t piece_links = 0;
  /// Pairs whose pieces form another number of words than the raw line has
  /// (SentencePiece's normalization moved a space): their labels are left out.
  int64_t word_count_mismatches = 0;
};

/// Maps each pair's word links (read_guided_alignment()) onto its pieces and
/// stores them in examples[k].links; examples[k] is the encoding of corpus pair k.
PieceLinkStats attach_piece_links(std::vector<Example>& examples, const std::vector<align::Alignment>& links,
                                  const text::ParallelCorpus& corpus, const text::Vocab& vocab);

/// The label distribution of one batch: [batch, tgt_len, src_len] float, row t of
/// sentence b is uniform over the source pieces linked to target piece t, and all
/// zero when the piece has no link (the EOS row, padding, unlinked pieces).
/// links[b] are sentence b's piece links.
torch::Tensor alignment_labels(const std::vector<const std::vector<PieceLink>*>& links, int64_t tgt_len,
                               int64_t src_len);

/// The attention guided training acts on: cross_attention as DecoderOutput holds
/// it (per layer [batch, heads, tgt_len, src_len]) -> [batch, tgt_len, src_len],
/// the selected layer (1-based, "default" resolved, 0 = layers averaged) and head
/// (0 = averaged). UserError if the layer or head does not exist.
torch::Tensor guided_attention(const std::vector<torch::Tensor>& cross_attention,
                               const align::AttentionSelection& selection);

/// The alignment loss: sum over the rows of `labels` that are not all zero of the
/// cross-entropy -sum_s labels[b, t, s] * log attention[b, t, s]. Its minimum, reached
/// when attention == labels on those rows, is the labels' entropy. Rows without
/// links add nothing. attention, labels: [batch, tgt_len, src_len].
torch::Tensor guided_alignment_loss(const torch::Tensor& attention, const torch::Tensor& labels);

/// UserError if `options` name a layer or head that the model `model` does not have
/// (checked once the model is built or loaded). Nothing when guidance is off.
void check_guided_alignment(const GuidedAlignmentOptions& options, const model::ModelOptions& model);

/// Writes the guided layer and head into `model_dir`'s alignment.toml
/// (align/saved_selection.h), keeping its method: where the model learns to align is
/// where align reads it by default.
void save_guided_selection(const GuidedAlignmentOptions& options, const model::ModelOptions& model,
                           const std::string& model_dir);

}  // namespace crosstalk::train
