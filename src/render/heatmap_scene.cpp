// Layout of a heatmap figure: every position and size is decided here, once, with text
// measured by cairo's toy font API ("DejaVu Sans") on a scratch surface. The renderers in
// heatmap.cpp only replay the resulting list of shapes.
#include "heatmap_scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <utility>

#include "text_measurer.h"
#include "utf8_text.h"

namespace crosstalk::render::heatmap_detail {
namespace {

constexpr double kMargin = 16;        // blank border around everything
constexpr double kTitleSize = 16;     // title line, bold
constexpr double kCaptionSize = 13;   // panel captions, bold
constexpr double kTickSize = 11;      // colour-bar tick labels
constexpr double kLegendSize = 12;    // "attention weight"
constexpr double kLabelGap = 6;       // between the cells and the row labels
constexpr double kColumnGap = 8;      // between the cells and the column labels
constexpr double kPanelGapX = 28;     // between panels of a grid
constexpr double kPanelGapY = 20;
constexpr double kLegendGap = 28;     // between the panels and the colour bar
constexpr double kBarWidth = 14;
constexpr double kColumnAngle = -45;  // column labels rise to the right
constexpr double kMinValueCell = 24;  // cells at least this big show weights >= 0.5
const Rgb kInk{34, 34, 34};
const Rgb kWhite{255, 255, 255};
const Rgb kFrame{136, 136, 136};
constexpr double kLinkStroke = 2;     // the outline of a linked cell

/// Axis-aligned bounding box.
struct Box {
  double min_x = HUGE_VAL, min_y = HUGE_VAL, max_x = -HUGE_VAL, max_y = -HUGE_VAL;
  void add(double x, double y) {
    min_x = std::min(min_x, x), max_x = std::max(max_x, x);
    min_y = std::min(min_y, y), max_y = std::max(max_y, y);
  }
  void add(const Box& b) {
    if (b.min_x <= b.max_x) add(b.min_x, b.min_y), add(b.max_x, b.max_y);
  }
};

/// Collects shapes and knows their extents.
class Builder {
 public:
  TextMeasurer measure;

  TextShape text(const std::string& raw, double x, double y, double size, bool bold, Anchor anchor,
                 double rotate_deg = 0, Rgb color = kInk) {
    TextShape t;
    t.text = sanitize_utf8(raw);
    t.x = x, t.y = y, t.size = size, t.bold = bold, t.anchor = anchor;
    t.rotate_deg = rotate_deg, t.color = color;
    t.advance = measure.advance(t.text, size, bold);
    return t;
  }

  Box bounds(const Shape& shape) {
    Box box;
    if (const auto* r = std::get_if<RectShape>(&shape)) {
      const double half = r->stroke_width / 2;
      box.add(r->x - half, r->y - half);
      box.add(r->x + r->w + half, r->y + r->h + half);
    } else if (const auto* l = std::get_if<LineShape>(&shape)) {
      box.add(l->x1, l->y1);
      box.add(l->x2, l->y2);
    } else {
      const auto& t = std::get<TextShape>(shape);
      const auto [ascent, descent] = measure.vertical(t.size, t.bold);
      const double f = t.anchor == Anchor::kStart ? 0 : t.anchor == Anchor::kMiddle ? 0.5 : 1;
      const double a = t.rotate_deg * M_PI / 180, c = std::cos(a), s = std::sin(a);
      for (const double x : {-t.advance * f, t.advance * (1 - f)}) {
        for (const double y : {-ascent, descent}) box.add(t.x + x * c - y * s, t.y + x * s + y * c);
      }
    }
    return box;
  }
  Box bounds(const std::vector<Shape>& shapes) {
    Box box;
    for (const auto& shape : shapes) box.add(bounds(shape));
    return box;
  }
};

void translate(Shape& shape, double dx, double dy) {
  if (auto* r = std::get_if<RectShape>(&shape)) {
    r->x += dx, r->y += dy;
  } else if (auto* l = std::get_if<LineShape>(&shape)) {
    l->x1 += dx, l->y1 += dy, l->x2 += dx, l->y2 += dy;
  } else {
    auto& t = std::get<TextShape>(shape);
    t.x += dx, t.y += dy;
  }
}

void validate(const Heatmap& heatmap) {
  if (heatmap.panels.empty()) throw std::invalid_argument("heatmap: the figure has no panels");
  for (std::size_t i = 0; i < heatmap.panels.size(); ++i) {
    const align::LabeledMatrix& m = heatmap.panels[i].matrix;
    const std::string where = "heatmap: panel " + std::to_string(i) + ": ";
    if (m.n_rows() == 0 || m.n_cols() == 0) {
      throw std::invalid_argument(where + "empty matrix (" + std::to_string(m.n_rows()) + " rows x " +
                                  std::to_string(m.n_cols()) + " columns); nothing to draw");
    }
    if (m.weights.size() != static_cast<std::size_t>(m.n_rows() * m.n_cols())) {
      throw std::invalid_argument(where + std::to_string(m.weights.size()) + " weights for " +
                                  std::to_string(m.n_rows()) + " x " + std::to_string(m.n_cols()) + " cells");
    }
    for (const align::Link& link : heatmap.panels[i].links) {
      if (link.src < 0 || link.src >= m.n_cols() || link.tgt < 0 || link.tgt >= m.n_rows()) {
        throw std::invalid_argument(where + "link " + std::to_string(link.src) + "-" + std::to_string(link.tgt) +
                                    " outside the " + std::to_string(m.n_rows()) + " x " +
                                    std::to_string(m.n_cols()) + " cells");
      }
    }
  }
}

/// Perceived brightness 0..1 of a colour (Rec. 709 weights on the sRGB values).
double luminance(Rgb c) { return (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255; }

/// The mark of an alignment link on the cell whose top-left corner is (x, y): a red box whose
/// stroke lies inside the cell.
RectShape link_mark(double x, double y, double cell) {
  RectShape mark;
  mark.x = x + kLinkStroke / 2, mark.y = y + kLinkStroke / 2, mark.w = mark.h = cell - kLinkStroke;
  mark.filled = false, mark.stroke_width = kLinkStroke, mark.stroke = kLinkMark;
  mark.css_class = "link";
  return mark;
}

/// The note under the panels, top-left at (x, y): a sample mark and what the marks are.
std::vector<Shape> links_note_shapes(Builder& b, const std::string& note, double x, double y) {
  constexpr double kSample = 14;
  RectShape sample = link_mark(x, y, kSample);
  sample.css_class = "link-key";
  std::vector<Shape> shapes{sample};
  const double cap = b.measure.cap_height(kLegendSize);
  shapes.emplace_back(b.text(note, x + kSample + 6, y + kSample / 2 + cap / 2, kLegendSize, false, Anchor::kStart));
  return shapes;
}

/// The bar beside the label of a row the user wrote, in the gap before the cells.
RectShape forced_bar(double y, double cell) {
  RectShape bar;
  bar.x = -kLabelGap + 2, bar.y = y + 1, bar.w = 2.5, bar.h = cell - 2;
  bar.fill = kForcedRow;
  bar.css_class = "forced";
  return bar;
}

/// One panel with its cell grid at (0, 0): cells, grid lines, frame, labels, caption.
std::vector<Shape> panel_shapes(Builder& b, const HeatmapPanel& panel, double cell, double label_size) {
  const align::LabeledMatrix& m = panel.matrix;
  const double w = static_cast<double>(m.n_cols()) * cell, h = static_cast<double>(m.n_rows()) * cell;
  std::vector<Shape> shapes;
  const double value_size = std::round(cell * 0.34);
  for (int64_t r = 0; r < m.n_rows(); ++r) {
    for (int64_t c = 0; c < m.n_cols(); ++c) {
      RectShape rect;
      rect.x = static_cast<double>(c) * cell, rect.y = static_cast<double>(r) * cell;
      rect.w = rect.h = cell;
      const float weight = m.at(r, c);
      rect.fill = colormap(weight);
      shapes.emplace_back(rect);
      if (cell >= kMinValueCell && weight >= 0.5f) {
        char value[16];
        std::snprintf(value, sizeof value, "%.2f", std::min(1.0, static_cast<double>(weight)));
        const Rgb ink = luminance(rect.fill) > 0.5 ? kInk : kWhite;
        shapes.emplace_back(b.text(value, rect.x + cell / 2, rect.y + cell / 2 + b.measure.cap_height(value_size) / 2,
                                   value_size, false, Anchor::kMiddle, 0, ink));
      }
    }
  }
  // Subtle separators inside the grid (on pixel centres, so they stay one pixel wide).
  for (int64_t c = 1; c < m.n_cols(); ++c) {
    const double x = static_cast<double>(c) * cell + 0.5;
    shapes.emplace_back(LineShape{x, 0, x, h, 1, kWhite, 0.25});
  }
  for (int64_t r = 1; r < m.n_rows(); ++r) {
    const double y = static_cast<double>(r) * cell + 0.5;
    shapes.emplace_back(LineShape{0, y, w, y, 1, kWhite, 0.25});
  }
  for (const align::Link& link : panel.links) {
    shapes.emplace_back(link_mark(static_cast<double>(link.src) * cell, static_cast<double>(link.tgt) * cell, cell));
  }
  RectShape frame;
  frame.x = -0.5, frame.y = -0.5, frame.w = w + 1, frame.h = h + 1;
  frame.filled = false, frame.stroke_width = 1, frame.stroke = kFrame;
  shapes.emplace_back(frame);

  const double cap = b.measure.cap_height(label_size);
  for (int64_t r = 0; r < m.n_rows(); ++r) {
    const double y = (static_cast<double>(r) + 0.5) * cell + cap / 2;
    const bool forced = r < panel.forced_rows;
    shapes.emplace_back(b.text(m.rows[static_cast<std::size_t>(r)], -kLabelGap, y, label_size, false, Anchor::kEnd, 0,
                               forced ? kForcedRow : kInk));
    if (forced) shapes.emplace_back(forced_bar(static_cast<double>(r) * cell, cell));
  }
  // Rotated column labels: shift the baseline start so the middle of the glyphs, not the
  // baseline, points at the column's centre.
  const double shift = std::sin(-kColumnAngle * M_PI / 180) * cap / 2;
  std::vector<Shape> columns;
  for (int64_t c = 0; c < m.n_cols(); ++c) {
    const double x = (static_cast<double>(c) + 0.5) * cell + shift;
    columns.emplace_back(b.text(m.cols[static_cast<std::size_t>(c)], x, -kColumnGap + shift, label_size, false,
                                Anchor::kStart, kColumnAngle));
  }
  const double top = std::min(b.bounds(columns).min_y, -kColumnGap);
  shapes.insert(shapes.end(), columns.begin(), columns.end());
  if (!panel.caption.empty()) {
    const double descent = b.measure.vertical(kCaptionSize, true).second;
    shapes.emplace_back(b.text(panel.caption, w / 2, top - 6 - descent, kCaptionSize, true, Anchor::kMiddle));
  }
  return shapes;
}

/// The colour bar with its ticks and label, top-left corner of the bar at (x, y).
std::vector<Shape> legend_shapes(Builder& b, double x, double y, double bar_height) {
  std::vector<Shape> shapes;
  const int steps = static_cast<int>(bar_height / 2);
  for (int k = 0; k < steps; ++k) {
    RectShape step;
    step.x = x, step.y = y + 2.0 * k, step.w = kBarWidth;
    step.h = k + 1 < steps ? 3 : 2;  // overlap the next step: no hairline seams in SVG viewers
    step.fill = colormap(static_cast<float>(1.0 - (k + 0.5) / steps));
    shapes.emplace_back(step);
  }
  RectShape frame;
  frame.x = x - 0.5, frame.y = y - 0.5, frame.w = kBarWidth + 1, frame.h = bar_height + 1;
  frame.filled = false, frame.stroke_width = 1, frame.stroke = kFrame;
  shapes.emplace_back(frame);

  const double cap = b.measure.cap_height(kTickSize);
  const double right = x + kBarWidth;
  double labels_right = right;
  const std::array<std::pair<double, const char*>, 5> ticks{
      {{0.0, "0"}, {0.25, "0.25"}, {0.5, "0.5"}, {0.75, "0.75"}, {1.0, "1"}}};
  for (const auto& [value, label] : ticks) {
    const double ty = std::round(y + (1 - value) * bar_height) + (value == 1.0 ? 0.5 : -0.5);
    shapes.emplace_back(LineShape{right, ty, right + 5, ty, 1, kFrame, 1});
    auto text = b.text(label, right + 8, ty + cap / 2, kTickSize, false, Anchor::kStart);
    labels_right = std::max(labels_right, right + 8 + text.advance);
    shapes.emplace_back(std::move(text));
  }
  const double legend_cap = b.measure.cap_height(kLegendSize);
  shapes.emplace_back(b.text("attention weight", labels_right + 10 + legend_cap, y + bar_height / 2, kLegendSize,
                             false, Anchor::kMiddle, -90));
  return shapes;
}

}  // namespace

Rgb colormap(float weight) {
  // viridis at 0, 1/8, ..., 1 (matplotlib's map, as sampled by R's viridisLite), interpolated
  // linearly in sRGB.
  static const std::array<Rgb, 9> kStops{{{0x44, 0x01, 0x54},
                                          {0x47, 0x2D, 0x7B},
                                          {0x3B, 0x52, 0x8B},
                                          {0x2C, 0x72, 0x8E},
                                          {0x21, 0x90, 0x8C},
                                          {0x27, 0xAD, 0x81},
                                          {0x5D, 0xC8, 0x63},
                                          {0xAA, 0xDC, 0x32},
                                          {0xFD, 0xE7, 0x25}}};
  const double v = std::isnan(weight) ? 0.0 : std::clamp(static_cast<double>(weight), 0.0, 1.0);
  const double pos = v * (kStops.size() - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(pos), kStops.size() - 2);
  const double t = pos - static_cast<double>(i);
  const auto mix = [t](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + (b - a) * t)); };
  const Rgb& a = kStops[i];
  const Rgb& b = kStops[i + 1];
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

Scene build_scene(const Heatmap& heatmap) {
  validate(heatmap);
  Builder b;
  Scene scene;
  scene.title = sanitize_utf8(heatmap.title);

  // One cell size for every panel: 28 px, smaller for long sentences (12 px at least).
  int64_t longest = 1;
  for (const auto& panel : heatmap.panels) {
    longest = std::max({longest, panel.matrix.n_rows(), panel.matrix.n_cols()});
  }
  const double cell = std::clamp(std::floor(720.0 / static_cast<double>(longest)), 12.0, 28.0);
  const double label_size = std::clamp(std::round(cell * 0.5), 9.0, 13.0);

  // Each panel in its own coordinates; the slots of the grid fit the largest extents.
  std::vector<std::vector<Shape>> panels;
  double left = 0, right = 0, top = 0, bottom = 0;
  for (const auto& panel : heatmap.panels) {
    panels.push_back(panel_shapes(b, panel, cell, label_size));
    const Box box = b.bounds(panels.back());
    left = std::max(left, std::ceil(-box.min_x)), right = std::max(right, std::ceil(box.max_x));
    top = std::max(top, std::ceil(-box.min_y)), bottom = std::max(bottom, std::ceil(box.max_y));
  }

  double y0 = 0;
  if (!scene.title.empty()) {
    const auto [ascent, descent] = b.measure.vertical(kTitleSize, true);
    scene.shapes.emplace_back(b.text(heatmap.title, 0, std::ceil(ascent), kTitleSize, true, Anchor::kStart));
    y0 = std::ceil(ascent + descent) + 14;
  }
  const std::size_t n = heatmap.panels.size();
  const auto columns = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n)) - 1e-9));
  for (std::size_t i = 0; i < n; ++i) {
    const double gx = static_cast<double>(i % columns) * (left + right + kPanelGapX) + left;
    const double gy = y0 + static_cast<double>(i / columns) * (top + bottom + kPanelGapY) + top;
    for (auto& shape : panels[i]) {
      translate(shape, gx, gy);
      scene.shapes.push_back(std::move(shape));
    }
    const align::LabeledMatrix& m = heatmap.panels[i].matrix;
    scene.grids.push_back(PanelGrid{gx, gy, cell, m.n_rows(), m.n_cols()});
  }
  const bool any_links = std::any_of(heatmap.panels.begin(), heatmap.panels.end(),
                                     [](const HeatmapPanel& p) { return !p.links.empty(); });
  if (any_links) {
    const double grid_rows = std::ceil(static_cast<double>(n) / static_cast<double>(columns));
    const double note_y = y0 + grid_rows * (top + bottom + kPanelGapY) - kPanelGapY + 12;
    const std::string& note = heatmap.links_note.empty() ? std::string(kDefaultLinksNote) : heatmap.links_note;
    for (auto& shape : links_note_shapes(b, note, 0, note_y)) scene.shapes.push_back(std::move(shape));
  }
  const double legend_x = static_cast<double>(columns) * (left + right + kPanelGapX) - kPanelGapX + kLegendGap;
  const double bar = std::floor(std::clamp(heatmap.panels[0].matrix.n_rows() * cell, 120.0, 320.0) / 4) * 4;
  for (auto& shape : legend_shapes(b, legend_x, y0 + top, bar)) scene.shapes.push_back(std::move(shape));

  // Move everything so the drawing sits kMargin from the image's edges, on whole pixels.
  const Box all = b.bounds(scene.shapes);
  const double dx = std::round(kMargin - all.min_x), dy = std::round(kMargin - all.min_y);
  for (auto& shape : scene.shapes) translate(shape, dx, dy);
  for (auto& grid : scene.grids) grid.x += dx, grid.y += dy;
  scene.width = static_cast<int>(std::ceil(all.max_x + dx + kMargin));
  scene.height = static_cast<int>(std::ceil(all.max_y + dy + kMargin));

  RectShape background;
  background.w = scene.width, background.h = scene.height, background.fill = kWhite;
  scene.shapes.insert(scene.shapes.begin(), background);
  return scene;
}

}  // namespace crosstalk::render::heatmap_detail
