#include "crosstalk/dist/world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "crosstalk/common/error.h"

extern char** environ;

namespace crosstalk::dist {

namespace {

const std::string* find(const std::map<std::string, std::string>& env, const std::string& name) {
  const auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

int parse_int(const std::map<std::string, std::string>& env, const std::string& name, int lo, int hi) {
  const auto* value = find(env, name);
  if (!value) throw UserError("distributed training: " + name + " is not set (torchrun's variables: RANK, WORLD_SIZE, "
                              "LOCAL_RANK, MASTER_ADDR, MASTER_PORT)");
  const std::string& s = *value;
  bool digits = !s.empty() && s.size() <= 9;
  for (const char c : s) digits = digits && c >= '0' && c <= '9';
  const long v = digits ? std::strtol(s.c_str(), nullptr, 10) : -1;
  if (!digits || v < lo || v > hi)
    throw UserError("distributed training: " + name + "='" + s + "' must be an integer in [" + std::to_string(lo) +
                    ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

}  // namespace

World world_from(const std::map<std::string, std::string>& env) {
  World w;
  if (!find(env, "WORLD_SIZE") && !find(env, "RANK")) return w;
  w.size = parse_int(env, "WORLD_SIZE", 1, 1 << 20);
  w.rank = parse_int(env, "RANK", 0, 1 << 20);
  if (w.rank >= w.size)
    throw UserError("distributed training: RANK=" + std::to_string(w.rank) + " is not below WORLD_SIZE=" +
                    std::to_string(w.size));
  w.local_rank = find(env, "LOCAL_RANK") ? parse_int(env, "LOCAL_RANK", 0, 1 << 20) : 0;
  if (!w.distributed()) return w;
  const auto* addr = find(env, "MASTER_ADDR");
  if (!addr || addr->empty())
    throw UserError("distributed training: MASTER_ADDR is not set (the host or address of rank 0)");
  w.master_addr = *addr;
  w.master_port = parse_int(env, "MASTER_PORT", 1, 65535);
  return w;
}

World world_from_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  return world_from(env);
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw UserError(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) throw UserError(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(err));
  return ntohs(addr.sin_port);
}

std::pair<size_t, size_t> shard_of(size_t n, int rank, int size) {
  const auto r = static_cast<size_t>(rank), s = static_cast<size_t>(size);
  const size_t base = n / s, extra = n % s;
  const size_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

}  // namespace crosstalk::dist
