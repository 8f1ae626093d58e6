// crosstalk: train a Transformer translator and look at its cross-attention.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "commands/command.h"
#include "crosstalk/common/error.h"

namespace {

void usage(const std::string& program) {
  std::cout << "crosstalk: an encoder-decoder Transformer translator on LibTorch\n\n"
            << "Usage: " << program << " <command> [flags]   (" << program << " <command> --help)\n\nCommands:\n";
  for (const auto& c : crosstalk::app::commands()) std::printf("  %-11s %s\n", c.name.c_str(), c.summary.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // A write past RLIMIT_FSIZE then fails with EFBIG, which the save reports in
  // one line, instead of killing the process mid-save.
  std::signal(SIGXFSZ, SIG_IGN);
  auto logger = spdlog::stderr_color_mt("crosstalk");
  logger->set_pattern("[%H:%M:%S] %^%v%$");
  spdlog::set_default_logger(logger);
  const std::string program = "crosstalk";
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    usage(program);
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  try {
    for (const auto& c : crosstalk::app::commands()) {
      if (c.name == name) return c.run(program + " " + name, std::vector<std::string>(argv + 2, argv + argc));
    }
    throw crosstalk::UserError("unknown command '" + name + "' (run `crosstalk --help` for the list)");
  } catch (const crosstalk::UserError& e) {
    std::fprintf(stderr, "crosstalk %s: error: %s\n", name.c_str(), e.what());
    return 2;
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    std::fprintf(stderr, "crosstalk %s: internal error: %s\n", name.c_str(), what.substr(0, what.find('\n')).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crosstalk %s: internal error: %s\n", name.c_str(), e.what());
    return 1;
  }
}
