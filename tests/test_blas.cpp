#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <dlfcn.h>

#include <filesystem>
#include <functional>
#include <string>

#include "crosstalk/common/blas.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"

using crosstalk::UserError;
using crosstalk::resolve_device;

namespace {
/// The file a path names once symbolic links are resolved (dladdr may give the link name).
std::string fs_path_resolved(const std::string& path) {
  std::error_code ec;
  auto resolved = std::filesystem::canonical(path, ec);
  return ec ? path : resolved.string();
}

std::string user_error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not a UserError) ") + e.what();
  }
  return "(nothing thrown)";
}
}  // namespace

TEST_CASE("an optimized BLAS is loaded (not the reference BLAS)", "[blas]") {
  // Make sure torch has multiplied matrices, so its BLAS is certainly mapped.
  auto a = torch::randn({64, 64});
  CHECK(torch::mm(a, a).size(0) == 64);
  const auto info = crosstalk::detect_blas();
  INFO("detected BLAS: name '" << info.name << "', path '" << info.path << "'");
  const bool optimized =
      !info.path.empty() && !info.reference &&
      (info.name == "OpenBLAS" || info.name == "MKL" || info.name == "BLIS");
  if (!optimized)
    FAIL("LibTorch is using the slow reference BLAS (or none was found): the set-up must "
         "`apt-get install libopenblas0-openmp`");
  SUCCEED("optimized BLAS: " + info.name);
}

TEST_CASE("detect_blas agrees with the library that actually provides sgemm_", "[blas]") {
  // LibTorch calls the Fortran BLAS symbols (sgemm_ ...) through libblas.so.3; the dynamic
  // linker binds them to the first loaded library that defines them. detect_blas must
  // describe that library, whatever else (e.g. OpenBLAS behind liblapack.so.3) is mapped.
  auto a = torch::randn({64, 64});
  CHECK(torch::mm(a, a).size(0) == 64);
  void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_");
  REQUIRE(sgemm != nullptr);
  Dl_info where{};
  REQUIRE(dladdr(sgemm, &where) != 0);
  REQUIRE(where.dli_fname != nullptr);
  const std::string provider = fs_path_resolved(where.dli_fname);
  const bool provider_is_reference = provider.find("/blas/libblas.so") != std::string::npos;
  const auto info = crosstalk::detect_blas();
  INFO("sgemm_ comes from '" << provider << "'; detect_blas says '" << info.name << "' at '"
                              << info.path << "'");
  CHECK(info.reference == provider_is_reference);
  if (provider.find("openblas") != std::string::npos) CHECK(info.name == "OpenBLAS");
}

TEST_CASE("resolve_device: cpu, auto, cuda without CUDA, unknown names", "[blas]") {
  CHECK(resolve_device("cpu") == torch::Device(torch::kCPU));
  const auto automatic = resolve_device("auto");
  CHECK(automatic.type() == (torch::cuda::is_available() ? torch::kCUDA : torch::kCPU));
  if (!torch::cuda::is_available()) {
    for (const std::string name : {"cuda", "cuda:0"}) {
      const auto message = user_error_message([&] { resolve_device(name); });
      INFO(message);
      CHECK(message.rfind("(", 0) != 0);  // a UserError was thrown
      CHECK_THAT(message, Catch::Contains("CUDA"));
    }
  } else {
    CHECK(resolve_device("cuda").type() == torch::kCUDA);
  }
  for (const std::string name : {"tpu", "", "CPU ", "gpu"}) {
    const auto message = user_error_message([&] { resolve_device(name); });
    INFO("name '" << name << "': " << message);
    CHECK(message.rfind("(", 0) != 0);
    CHECK_THAT(message, Catch::Contains(name));
  }
}
