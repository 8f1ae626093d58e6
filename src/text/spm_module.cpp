// Loading the SentencePiece backend module (crosstalk_spm_backend): see spm_module.h.
#include "spm_module.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "crosstalk/common/error.h"

namespace crosstalk::text {
namespace {

// ---- the SentencePiece backend module ------------------------------------------------
// libsentencepiece embeds (and exports) its own protobuf 3.14, libtorch links libprotobuf
// 3.21: in one global symbol scope they collide. So SentencePiece is only ever reached
// through the crosstalk_spm_backend module, loaded here with RTLD_LOCAL (its symbols stay
// out of the global scope) and RTLD_DEEPBIND (it and libsentencepiece resolve their own
// symbols before the global ones, i.e. sentencepiece's protobuf before libtorch's).

#ifndef CROSSTALK_SPM_BACKEND_PATH
#define CROSSTALK_SPM_BACKEND_PATH "libcrosstalk_spm_backend.so"
#endif

constexpr const char* kBackendEnv = "CROSSTALK_SPM_BACKEND";

// ---- AddressSanitizer builds (CMake -DCROSSTALK_SANITIZE=ON) ----------------------------
// ASan's dlopen interceptor aborts on RTLD_DEEPBIND, whatever the library: a deep-bound
// library would look up malloc/free and operator new/delete in its own dependencies
// (libc, libstdc++) before the global scope where ASan's are, and mix two allocators
// (google/sanitizers#611). In a sanitizer build the module is linked with -fsanitize=address
// and so has the shared ASan runtime as its FIRST dependency: its deep-bound scope is
// [module, ASan runtime, libsentencepiece, ..., libstdc++, libc], which finds ASan's
// allocator and interceptors before libc's and libstdc++'s, and SentencePiece's protobuf
// before libtorch's. The interceptor cannot know that, so here we call glibc's own dlopen
// (what the interceptor itself calls once its check passes), then verify that the
// allocation functions the module sees are the process's; if not, it is refused.
#if defined(__SANITIZE_ADDRESS__)
#define CROSSTALK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CROSSTALK_ASAN 1
#endif
#endif

#ifdef CROSSTALK_ASAN
using DlopenFn = void* (*)(const char*, int);

/// glibc's dlopen (in libc.so.6 since glibc 2.34, in libdl.so.2 before), not ASan's.
DlopenFn libc_dlopen() {
  for (const char* lib : {"libc.so.6", "libdl.so.2"}) {
    void* handle = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    if (handle == nullptr) continue;
    void* sym = dlsym(handle, "dlopen");
    if (sym != nullptr) return reinterpret_cast<DlopenFn>(sym);
  }
  return nullptr;
}

/// "" if every allocation function that `handle`'s (deep-bound) scope resolves is the one
/// the rest of the process uses (ASan's), else the first that differs.
std::string foreign_allocator(void* handle) {
  for (const char* name : {"malloc", "free", "calloc", "realloc", "_Znwm", "_ZdlPv", "_Znam",
                           "_ZdaPv"}) {
    if (dlsym(handle, name) != dlsym(RTLD_DEFAULT, name)) return name;
  }
  return "";
}
#endif

/// dlopen(path) with RTLD_LOCAL | RTLD_DEEPBIND; nullptr with *why set on failure.
void* open_module(const std::string& path, std::string* why) {
  constexpr int kFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#ifdef CROSSTALK_ASAN
  const DlopenFn open = libc_dlopen();
  if (open == nullptr) {
    *why = "cannot find glibc's dlopen";
    return nullptr;
  }
  void* handle = open(path.c_str(), kFlags);
#else
  void* handle = dlopen(path.c_str(), kFlags);
#endif
  if (handle == nullptr) {
    const char* err = dlerror();
    *why = err != nullptr ? err : "dlopen failed";
    return nullptr;
  }
#ifdef CROSSTALK_ASAN
  if (const std::string name = foreign_allocator(handle); !name.empty()) {
    *why = "built without the sanitizer runtime (its '" + name +
           "' is not AddressSanitizer's): rebuild it with CROSSTALK_SANITIZE=ON";
    // A module from a non-sanitizer build (e.g. named by CROSSTALK_SPM_BACKEND): ASan has
    // most likely aborted in its constructors already (alloc-dealloc-mismatch); if not,
    // it is refused here. Not dlclose()d: its constructors have run.
    return nullptr;
  }
#endif
  return handle;
}

/// Where to look, in order: $CROSSTALK_SPM_BACKEND, next to the running executable, in
/// the executable's parent directory, and the build tree's copy (compiled in).
std::vector<std::string> backend_candidates() {
  namespace fs = std::filesystem;
  const fs::path built = CROSSTALK_SPM_BACKEND_PATH;
  std::vector<std::string> paths;
  auto add = [&](const fs::path& p) {
    const std::string s = p.lexically_normal().string();
    if (!s.empty() && std::find(paths.begin(), paths.end(), s) == paths.end()) {
      paths.push_back(s);
    }
  };
  if (const char* env = std::getenv(kBackendEnv); env != nullptr && *env != '\0') add(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.has_parent_path()) {
    add(exe.parent_path() / built.filename());
    if (exe.parent_path().has_parent_path()) {
      add(exe.parent_path().parent_path() / built.filename());
    }
  }
  if (built.is_absolute()) add(built);
  return paths;
}

const spm::Backend* load_backend() {
  std::string tried;
  for (const std::string& path : backend_candidates()) {
    tried += "\n  " + path + ": ";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += "not found";
      continue;
    }
    std::string why;
    void* handle = open_module(path, &why);
    if (handle == nullptr) {
      tried += why;
      continue;
    }
    dlerror();  // clear
    void* sym = dlsym(handle, spm::kFactorySymbol);
    if (sym == nullptr) {
      const char* err = dlerror();
      tried += std::string("not a crosstalk SentencePiece backend (") +
               (err != nullptr ? err : "no factory symbol") + ")";
      dlclose(handle);
      continue;
    }
    int module_abi = -1;
    const spm::Backend* backend =
        reinterpret_cast<spm::FactoryFn>(sym)(spm::kAbiVersion, &module_abi);
    if (backend == nullptr) {
      tried += "stale module: interface version " + std::to_string(module_abi) +
               ", this program needs version " + std::to_string(spm::kAbiVersion) +
               " (rebuild it)";
      dlclose(handle);
      continue;
    }
    return backend;  // never dlclose()d: processors and the backend live in it
  }
  throw UserError(std::string("cannot load the SentencePiece backend module (set ") +
                  kBackendEnv + " to its full path); tried:" + tried);
}

}  // namespace

/// The backend, loaded once per process (thread-safe). UserError if it cannot be loaded
/// (and again on the next call).
const spm::Backend& backend() {
  static const spm::Backend* const instance = load_backend();
  return *instance;
}

}  // namespace crosstalk::text
