#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/alignment.h"
#include "crosstalk/align/labeled_matrix.h"

namespace crosstalk::render {

/// One attention map of a figure, with an optional caption drawn above it (e.g. "head 3"),
/// and the word alignment links to mark on it: each link outlines the cell (row link.tgt,
/// column link.src) with a red box (kept inside the cell). A link outside the matrix is an
/// error (std::invalid_argument from the functions below).
struct HeatmapPanel {
  std::string caption;
  align::LabeledMatrix matrix;
  align::Alignment links;
  /// The first forced_rows rows were written by the user (a target prefix): their labels are
  /// drawn in blue with a bar beside them.
  int64_t forced_rows = 0;
};

/// A figure: a title line, then one panel (one map) or several (a grid, e.g. all heads of a
/// layer, laid out in ceil(sqrt(n)) columns), then one shared colour-bar legend.
/// Source words (matrix columns) run along the top, target words (rows) down the left.
/// Weights are coloured with viridis on a fixed 0..1 scale (values outside are clamped,
/// NaN is drawn as 0).
struct Heatmap {
  std::string title;
  std::vector<HeatmapPanel> panels;
  /// The note drawn under the panels when a panel has links, after a sample red box;
  /// empty: kDefaultLinksNote.
  std::string links_note;
};

inline constexpr const char* kDefaultLinksNote = "word alignment links";

/// Size of the figure in pixels: the PNG's size, and the SVG's width/height.
struct ImageSize {
  int width = 0;
  int height = 0;
};

/// A cell's box in image pixels (x, y: top-left corner).
struct CellBox {
  double x = 0;
  double y = 0;
  double w = 0;
  double h = 0;
};

/// Pixel size of the figure. Throws std::invalid_argument for a figure that cannot be drawn:
/// no panels, a panel with 0 rows or 0 columns, or weights.size() != rows * cols.
ImageSize heatmap_size(const Heatmap& heatmap);

/// Where the cell (row, col) of panel `panel` lies in the image (same pixels in PNG and SVG).
/// Throws std::out_of_range for an index outside the figure, std::invalid_argument as above.
CellBox heatmap_cell(const Heatmap& heatmap, std::size_t panel, int64_t row, int64_t col);

/// The figure as a standalone SVG document (UTF-8). Words are real <text> elements, so they
/// can be searched and selected. Throws std::invalid_argument as heatmap_size does.
std::string render_svg(const Heatmap& heatmap);

/// Draws the figure with cairo and writes it as a PNG to `path`.
/// Throws crosstalk::UserError naming the path when it cannot be written,
/// std::invalid_argument as heatmap_size does.
void write_png(const Heatmap& heatmap, const std::string& path);

/// Writes the figure in the format the extension of `path` names: ".svg" or ".png" (any case).
/// Throws crosstalk::UserError naming the path for any other extension or a failed write.
void save_heatmap(const Heatmap& heatmap, const std::string& path);

}  // namespace crosstalk::render
