// The Communicator on PyTorch's c10d: a TCPStore on rank 0, ProcessGroupGloo (and
// ProcessGroupNCCL where the LibTorch is a CUDA build with nccl.h: CROSSTALK_HAVE_NCCL).
// Compiled only where CMake found c10d's and Gloo's headers (CMakeLists.txt), with
// USE_C10D_GLOO defined, which ProcessGroupGloo.hpp requires.
#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef CROSSTALK_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <thread>

#include "crosstalk/common/error.h"
#include "crosstalk/dist/communicator.h"

namespace crosstalk::dist {

namespace {

using std::chrono::milliseconds;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string first_line(const std::exception& e) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&e);
  std::string what = c10 ? c10->what_without_backtrace() : e.what();
  return what.substr(0, what.find('\n'));
}

bool loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

// Gloo's network device: GLOO_SOCKET_IFNAME as in PyTorch; loopback for a one-machine
// world on a loopback MASTER_ADDR; else the address this machine's hostname resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const World& w) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (loopback(w.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<c10d::TCPStore> open_store(const World& w, const CommunicatorOptions& o) {
  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(w.master_port);
  so.isServer = w.main();
  so.numWorkers = static_cast<size_t>(w.size);
  so.waitWorkers = false;
  so.timeout = o.join_timeout;
  const std::string where = w.master_addr + ":" + std::to_string(w.master_port);
  try {
    return c10::make_intrusive<c10d::TCPStore>(w.master_addr, so);
  } catch (const std::exception& e) {
    const std::string why = first_line(e);
    if (w.main()) {
      const bool in_use = why.find("in use") != std::string::npos || why.find("EADDRINUSE") != std::string::npos;
      throw UserError("rank 0 cannot listen on " + where + " (MASTER_ADDR:MASTER_PORT): " +
                      (in_use ? std::string("the port is in use") : why));
    }
    throw UserError("rank " + std::to_string(w.rank) + " cannot reach rank 0 at " + where + " (MASTER_ADDR:MASTER_PORT) within " +
                    std::to_string(o.join_timeout.count()) + " s: " + why);
  }
}

class C10dCommunicator : public Communicator {
 public:
  C10dCommunicator(const World& w, const CommunicatorOptions& o) : Communicator(w), options_(o) {
    store_ = open_store(w, o);
    backend_ = choose_backend(o);
    auto group_store = c10::make_intrusive<c10d::PrefixStore>(backend_, store_);
    try {
      if (backend_ == "gloo") {
        auto go = c10d::ProcessGroupGloo::Options::create(o.timeout);
        go->devices.push_back(gloo_device(w));
        store_->setTimeout(o.join_timeout);  // the Gloo rendezvous waits on the store
        group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(group_store, w.rank, w.size, go);
      } else {
        make_nccl_group(group_store);
      }
    } catch (const UserError&) {
      throw;
    } catch (const std::exception& e) {
      throw UserError("rank " + std::to_string(w.rank) + " cannot join the " + backend_ + " process group: " + first_line(e));
    }
    store_->setTimeout(o.timeout);
  }

  std::string backend() const override { return backend_; }

  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    try {
      for (auto& t : tensors) {
        std::vector<at::Tensor> one = {t};
        works.push_back(group_->allreduce(one));
      }
      for (auto& w : works) w->wait(options_.timeout);
    } catch (const std::exception& e) {
      fail("all-reduce failed (" + first_line(e) + ")");
    }
  }

  void broadcast(std::vector<torch::Tensor>& tensors, int root) override {
    try {
      c10d::BroadcastOptions bo;
      bo.rootRank = root;
      for (auto& t : tensors) {
        std::vector<at::Tensor> one = {t};
        group_->broadcast(one, bo)->wait(options_.timeout);
      }
    } catch (const std::exception& e) {
      fail("broadcast failed (" + first_line(e) + ")");
    }
  }

  void set(const std::string& key, const std::string& value) override {
    try {
      store_->set(key, bytes(value));
    } catch (const std::exception& e) {
      fail("the store failed (" + first_line(e) + ")");
    }
  }

  std::string get(const std::string& key) override {
    try {
      store_->wait({key}, c10d::Store::kNoTimeout);
      const auto v = store_->get(key);
      return std::string(v.begin(), v.end());
    } catch (const std::exception& e) {
      fail("the store failed (" + first_line(e) + ")");
    }
  }

  // Each failing rank leaves failed/<rank> in the store; a peer without one after
  // two seconds is the lost one. No store: rank 0, which hosts it, is lost.
  [[noreturn]] void fail(const std::string& what) override {
    const auto& w = world();
    std::string lost;
    try {
      store_->setTimeout(milliseconds(2000));
      store_->set("failed/" + std::to_string(w.rank), bytes(what));
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      std::vector<int> silent;
      do {
        silent.clear();
        for (int r = 0; r < w.size; ++r)
          if (r != w.rank && !store_->check({"failed/" + std::to_string(r)})) silent.push_back(r);
        if (silent.empty()) break;
        std::this_thread::sleep_for(milliseconds(100));
      } while (std::chrono::steady_clock::now() < until);
      for (const int r : silent) lost += (lost.empty() ? "" : ", ") + std::to_string(r);
      lost = silent.empty() ? "every other rank failed too" : "lost rank " + lost + " (it died or hangs)";
    } catch (const std::exception&) {
      lost = "lost rank 0 (the rendezvous host, " + w.master_addr + ":" + std::to_string(w.master_port) + ")";
    }
    throw UserError("rank " + std::to_string(w.rank) + ": distributed training stopped, " + what + "; " + lost);
  }

 private:
  std::string choose_backend(const CommunicatorOptions& o) const {
    const bool cuda = o.device.is_cuda();
    if (o.backend == "gloo") return "gloo";
    if (o.backend == "nccl") {
      if (!cuda) throw UserError("--dist-backend nccl needs a CUDA device (--device cuda)");
#ifndef CROSSTALK_HAVE_NCCL
      throw UserError("--dist-backend nccl: this crosstalk was built without NCCL (a CUDA LibTorch with nccl.h is needed)");
#endif
      return "nccl";
    }
#ifdef CROSSTALK_HAVE_NCCL
    if (cuda) return "nccl";
#endif
    return "gloo";
  }

  void make_nccl_group(const c10::intrusive_ptr<c10d::Store>& group_store) {
#ifdef CROSSTALK_HAVE_NCCL
    ::setenv("NCCL_ASYNC_ERROR_HANDLING", "1", 0);  // a hung collective fails after the timeout
    auto no = c10d::ProcessGroupNCCL::Options::create();
    no->timeout = options_.timeout;
    group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_store, world().rank, world().size, no);
#else
    (void)group_store;
#endif
  }

  CommunicatorOptions options_;
  std::string backend_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

}  // namespace

bool distributed_available() { return true; }

std::unique_ptr<Communicator> connect(const World& world, const CommunicatorOptions& options) {
  TORCH_CHECK(world.size > 1, "connect() is for a world of several processes");
  return std::make_unique<C10dCommunicator>(world, options);
}

}  // namespace crosstalk::dist
