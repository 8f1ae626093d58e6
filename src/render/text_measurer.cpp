#include "text_measurer.h"

#include "crosstalk/common/error.h"
#include "heatmap_scene.h"

namespace crosstalk::render::heatmap_detail {

TextMeasurer::TextMeasurer()
    : surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)), cr_(cairo_create(surface_)) {
  check();
}

TextMeasurer::~TextMeasurer() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

double TextMeasurer::advance(const std::string& text, double size, bool bold) {
  use_font(size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, text.c_str(), &extents);
  check();
  return extents.x_advance;
}

std::pair<double, double> TextMeasurer::vertical(double size, bool bold) {
  const auto key = std::make_pair(size, bold);
  const auto it = vertical_.find(key);
  if (it != vertical_.end()) return it->second;
  use_font(size, bold);
  cairo_font_extents_t extents;
  cairo_font_extents(cr_, &extents);
  check();
  return vertical_[key] = {extents.ascent, extents.descent};
}

double TextMeasurer::cap_height(double size) {
  use_font(size, false);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, "H", &extents);
  check();
  return extents.height;
}

void TextMeasurer::use_font(double size, bool bold) {
  cairo_select_font_face(cr_, kCairoFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

void TextMeasurer::check() const {
  const cairo_status_t status = cairo_status(cr_);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw UserError(std::string("heatmap: cairo cannot measure text: ") + cairo_status_to_string(status));
  }
}

}  // namespace crosstalk::render::heatmap_detail
