#pragma once

#include <string>

namespace crosstalk {

/// Which BLAS this process multiplies matrices with. Debian's libtorch calls
/// libblas.so.3, which the alternatives system points at the reference BLAS
/// (~30x slower) unless an optimized one such as libopenblas0-openmp is installed.
struct BlasInfo {
  std::string path;         // the loaded libblas / openblas file, "" if none was found
  std::string name;         // "OpenBLAS", "reference BLAS", "MKL", "BLIS" or "unknown"
  bool reference = false;   // true: the slow reference implementation
};

/// Reads the libraries mapped into this process (/proc/self/maps).
BlasInfo detect_blas();

}  // namespace crosstalk
