#include "crosstalk/common/blas.h"

#include <dlfcn.h>

#include <climits>
#include <cstdlib>

namespace crosstalk {

BlasInfo detect_blas() {
  // Ask the dynamic linker which library provides the sgemm_ that libtorch's
  // matrix products call: that one file decides the speed.
  BlasInfo info;
  info.name = "unknown";
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info where{};
  if (symbol == nullptr || dladdr(symbol, &where) == 0 || where.dli_fname == nullptr) return info;
  char resolved[PATH_MAX];
  info.path = realpath(where.dli_fname, resolved) ? resolved : where.dli_fname;
  const auto has = [&](const char* s) { return info.path.find(s) != std::string::npos; };
  if (has("openblas")) info.name = "OpenBLAS";
  else if (has("mkl")) info.name = "MKL";
  else if (has("blis")) info.name = "BLIS";
  else if (has("atlas")) info.name = "ATLAS";
  else if (has("/blas/libblas.so") || has("libblas.so")) {
    info.name = "reference BLAS";
    info.reference = true;
  }
  return info;
}

}  // namespace crosstalk
