// Catch prints an Alignment as its Pharaoh line (glog's operator<< for vectors, pulled in
// by torch, cannot print a Link). Shared by the symmetrization tests.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "crosstalk/align/alignment.h"

namespace Catch {
template <>
struct StringMaker<crosstalk::align::Alignment> {
  static std::string convert(const crosstalk::align::Alignment& a) {
    return "\"" + crosstalk::align::to_pharaoh(a) + "\"";
  }
};
}  // namespace Catch
