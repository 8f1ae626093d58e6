#include "crosstalk/common/blas.h"

#include <fstream>

namespace crosstalk {

BlasInfo detect_blas() {
  BlasInfo info;
  info.name = "unknown";
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const bool openblas = path.find("openblas") != std::string::npos;
    const bool mkl = path.find("libmkl") != std::string::npos;
    const bool blis = path.find("blis") != std::string::npos;
    const bool libblas = path.find("libblas.so") != std::string::npos;
    if (!(openblas || mkl || blis || libblas)) continue;
    info.path = path;
    if (openblas) {
      info.name = "OpenBLAS";
      info.reference = false;
      return info;  // the best answer: stop here
    }
    if (mkl) info.name = "MKL";
    else if (blis) info.name = "BLIS";
    else if (path.find("/blas/libblas.so") != std::string::npos) {
      info.name = "reference BLAS";
      info.reference = true;
    }
  }
  return info;
}

}  // namespace crosstalk
