#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace crosstalk::app {

/// A subcommand: `crosstalk <name> [flags]`. Each one owns a CLI::App of its
/// own, so that its --config file maps straight onto its flags.
struct Command {
  std::string name;
  std::string summary;
  int (*run)(const std::string& program, std::vector<std::string> args);
};

const std::vector<Command>& commands();

int run_train(const std::string& program, std::vector<std::string> args);
int run_translate(const std::string& program, std::vector<std::string> args);
int run_eval(const std::string& program, std::vector<std::string> args);
int run_align(const std::string& program, std::vector<std::string> args);
int run_eval_align(const std::string& program, std::vector<std::string> args);
int run_serve(const std::string& program, std::vector<std::string> args);
int run_symmetrize(const std::string& program, std::vector<std::string> args);

/// Parses args (without the program and subcommand names) into `app`.
/// Help: prints it and returns 0 via `exit_code`. Parse errors become a
/// UserError with one clear line (unknown config keys are named).
/// Returns true when the command should go on.
bool parse_args(CLI::App& app, std::vector<std::string> args, int* exit_code);

/// How a command's process treats memory it frees (common/allocator.h).
enum class Memory {
  kKeepFreed,    // keep it for the next step: a batch command's steps reuse their largest tensors
  kReturnFreed,  // glibc's defaults, and the server trims when idle: flat resident memory
};

/// --threads and the BLAS check every compute command does first: sets the
/// intra-op thread count and the memory policy, and logs which BLAS multiplies
/// the matrices, warning loudly if it is the slow reference BLAS.
void setup_runtime(int threads, Memory memory = Memory::kKeepFreed);

}  // namespace crosstalk::app
