// Text metrics for laying out a heatmap (private to src/render): cairo's toy font API on a
// 1x1 scratch surface, with the same font options as the PNG surface.
#pragma once

#include <cairo.h>

#include <map>
#include <string>
#include <utility>

namespace crosstalk::render::heatmap_detail {

class TextMeasurer {
 public:
  TextMeasurer();
  ~TextMeasurer();
  TextMeasurer(const TextMeasurer&) = delete;
  TextMeasurer& operator=(const TextMeasurer&) = delete;

  /// How far the pen moves over `text`.
  double advance(const std::string& text, double size, bool bold);
  /// Ascent and descent of the font (not of particular glyphs), cached.
  std::pair<double, double> vertical(double size, bool bold);
  /// Height of a capital letter: text of this size is visually centred on y when its
  /// baseline is at y + cap_height / 2.
  double cap_height(double size);

 private:
  void use_font(double size, bool bold);
  /// UserError if cairo failed.
  void check() const;
  cairo_surface_t* surface_;
  cairo_t* cr_;
  std::map<std::pair<double, bool>, std::pair<double, double>> vertical_;
};

}  // namespace crosstalk::render::heatmap_detail
