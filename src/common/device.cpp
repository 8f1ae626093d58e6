#include "crosstalk/common/device.h"

#include "crosstalk/common/error.h"

namespace crosstalk {

torch::Device resolve_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw UserError("--device " + name +
                      ": CUDA is not available (this build's LibTorch has no CUDA support or no GPU is visible); use --device cpu");
    try {
      torch::Device device(name);
      if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
        throw UserError("--device " + name + ": only " + std::to_string(torch::cuda::device_count()) +
                        " CUDA device(s) visible");
      return device;
    } catch (const c10::Error&) {
      throw UserError("--device " + name + ": not a device name (expected cpu, cuda, cuda:N or auto)");
    }
  }
  throw UserError("--device " + name + ": not a device name (expected cpu, cuda, cuda:N or auto)");
}

}  // namespace crosstalk
