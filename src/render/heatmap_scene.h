// Private to the heatmap renderers: the figure's geometry, computed once (text measured with
// cairo) as a list of primitives that heatmap.cpp draws twice, to a cairo image (PNG) and to
// SVG text. Coordinates are image pixels, y down; angles in degrees, negative = counter-clockwise
// on screen (the SVG rotate() convention).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "crosstalk/render/heatmap.h"

namespace crosstalk::render::heatmap_detail {

/// Font family name for cairo's toy font API, and the SVG's font-family list.
inline constexpr const char* kCairoFont = "DejaVu Sans";
inline constexpr const char* kSvgFont = "DejaVu Sans, sans-serif";

struct Rgb {
  uint8_t r = 0;
  uint8_t g = 0;
  uint8_t b = 0;
};

/// The outline colour of an alignment link's mark: red, visible on every viridis colour.
inline constexpr Rgb kLinkMark{228, 26, 28};
inline constexpr Rgb kForcedRow{31, 95, 191};  // rows the user wrote (a target prefix)

/// Viridis colour of a weight on the fixed 0..1 scale (clamped; NaN counts as 0).
Rgb colormap(float weight);

/// A rectangle, filled and/or stroked (stroke_width 0: no outline). A non-empty css_class
/// becomes the SVG element's class attribute ("link": the mark of an alignment link).
struct RectShape {
  double x = 0, y = 0, w = 0, h = 0;
  bool filled = true;
  Rgb fill;
  double stroke_width = 0;
  Rgb stroke;
  std::string css_class;
};

struct LineShape {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double width = 1;
  Rgb color;
  double opacity = 1;
};

enum class Anchor { kStart, kMiddle, kEnd };

/// Text on a baseline through (x, y); the anchor says which point of the baseline is (x, y)
/// (as SVG's text-anchor); the text is rotated by rotate_deg about (x, y).
/// `advance` is the measured width (cairo's x_advance), used to place kMiddle/kEnd text.
struct TextShape {
  std::string text;  // valid UTF-8, XML-safe (sanitize_utf8)
  double x = 0, y = 0;
  double size = 12;
  bool bold = false;
  Anchor anchor = Anchor::kStart;
  double rotate_deg = 0;
  Rgb color;
  double advance = 0;
};

using Shape = std::variant<RectShape, LineShape, TextShape>;

/// Where a panel's cells are: cell (r, c) is the square at (x + c * cell, y + r * cell).
struct PanelGrid {
  double x = 0, y = 0, cell = 0;
  int64_t rows = 0, cols = 0;
};

/// The whole figure, drawn in order (later shapes on top).
struct Scene {
  int width = 0;
  int height = 0;
  std::string title;
  std::vector<Shape> shapes;
  std::vector<PanelGrid> grids;  // one per panel
};

/// Lays the figure out. Throws std::invalid_argument for a figure without panels, a panel
/// with 0 rows or 0 columns or a weights size that is not rows * cols; UserError if cairo
/// cannot measure text.
Scene build_scene(const Heatmap& heatmap);

}  // namespace crosstalk::render::heatmap_detail
