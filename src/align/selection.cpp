// The names of the attention readings and symmetrization methods (align/selection.h).
#include "crosstalk/align/selection.h"

#include <stdexcept>

#include "crosstalk/common/error.h"
#include "crosstalk/common/positive_index.h"

namespace crosstalk::align {

namespace {

struct NamedMethod {
  SymmetrizeMethod method;
  const char* name;
};

constexpr NamedMethod kMethods[] = {
    {SymmetrizeMethod::intersect, "intersect"},
    {SymmetrizeMethod::union_links, "union"},
    {SymmetrizeMethod::grow_diag, "grow-diag"},
    {SymmetrizeMethod::grow_diag_final, "grow-diag-final"},
    {SymmetrizeMethod::grow_diag_final_and, "grow-diag-final-and"},
    {SymmetrizeMethod::soft_mean, "soft-mean"},
    {SymmetrizeMethod::soft_product, "soft-product"},
    {SymmetrizeMethod::soft_mean_gdfa, "soft-mean-gdfa"},
    {SymmetrizeMethod::soft_product_gdfa, "soft-product-gdfa"},
};

}  // namespace

int64_t default_alignment_layer(int64_t layers) {
  // All layers averaged: never worse than second best on either dev gold, alone or
  // symmetrized. How it was chosen: docs/alignment.md. One layer is shown as itself.
  return layers >= 2 ? 0 : layers;
}

int64_t default_guided_layer(int64_t layers) { return layers >= 2 ? layers - 1 : layers; }

int64_t resolved_layer(const AttentionSelection& selection, int64_t layers) {
  return selection.layer == AttentionSelection::kDefaultLayer ? default_alignment_layer(layers) : selection.layer;
}

int64_t resolved_guided_layer(const AttentionSelection& selection, int64_t layers) {
  return selection.layer == AttentionSelection::kDefaultLayer ? default_guided_layer(layers) : selection.layer;
}

int64_t parse_layer(const std::string& text, const std::string& what) {
  if (text == "all") return 0;
  if (text == "default") return AttentionSelection::kDefaultLayer;
  if (const auto n = parse_positive_index(text)) return *n;
  throw UserError(what + " must be a number from 1 or 'all' or 'default', got '" + text + "'");
}

int64_t parse_head(const std::string& text, const std::string& what) {
  if (text == "avg") return 0;
  if (const auto n = parse_positive_index(text)) return *n;
  throw UserError(what + " must be a number from 1 or 'avg', got '" + text + "'");
}

std::string layer_text(int64_t layer) {
  if (layer == AttentionSelection::kDefaultLayer) return "default";
  return layer == 0 ? "all" : std::to_string(layer);
}

std::string head_text(int64_t head) { return head == 0 ? "avg" : std::to_string(head); }

void check_selection(const AttentionSelection& selection, int64_t layers, int64_t heads, const SelectionNames& names) {
  const int64_t layer = resolved_layer(selection, layers);
  if (layer < 0 || layer > layers)
    throw UserError(names.layer + " " + std::to_string(layer) + ": the decoder has layers 1.." +
                    std::to_string(layers) + " (or 'all')");
  if (selection.head < 0 || selection.head > heads)
    throw UserError(names.head + " " + std::to_string(selection.head) + ": each layer has heads 1.." +
                    std::to_string(heads) + " (or 'avg')");
}

std::string describe_layer(const AttentionSelection& selection, int64_t layers) {
  const int64_t layer = resolved_layer(selection, layers);
  return layer == 0 ? "all " + std::to_string(layers) + " layers averaged"
                    : "layer " + std::to_string(layer) + " of " + std::to_string(layers);
}

std::string describe(const AttentionSelection& selection, int64_t layers, int64_t heads) {
  return describe_layer(selection, layers) +
         (selection.head == 0 ? ", heads averaged"
                              : ", head " + std::to_string(selection.head) + " of " + std::to_string(heads));
}

std::string method_name(SymmetrizeMethod method) {
  for (const auto& m : kMethods)
    if (m.method == method) return m.name;
  throw std::invalid_argument("method_name: unknown SymmetrizeMethod");
}

const std::vector<std::string>& symmetrize_method_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& m : kMethods) out.emplace_back(m.name);
    return out;
  }();
  return names;
}

SymmetrizeMethod parse_symmetrize_method(const std::string& name, const std::string& flag) {
  std::string list;
  for (const auto& m : kMethods) {
    if (name == m.name) return m.method;
    list += list.empty() ? "" : ", ";
    list += m.name;
  }
  throw UserError(flag + " must be one of " + list + "; got '" + name + "'");
}

bool is_soft(SymmetrizeMethod method) {
  return method == SymmetrizeMethod::soft_mean || method == SymmetrizeMethod::soft_product ||
         method == SymmetrizeMethod::soft_mean_gdfa || method == SymmetrizeMethod::soft_product_gdfa;
}

}  // namespace crosstalk::align
