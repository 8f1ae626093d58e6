// Weights in torch archives (store/weights.h).
#include "crosstalk/store/weights.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/store/model_dir.h"

namespace crosstalk::store {

namespace fs = std::filesystem;

std::string first_line(const std::exception& e) {
  const c10::Error* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string what = c10_error ? c10_error->what_without_backtrace() : e.what();
  return what.substr(0, what.find('\n'));
}

torch::serialize::InputArchive open_archive(const std::string& path, const std::string& what) {
  require_model_file(path, what);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const std::exception& e) {
    throw UserError("cannot load " + what + " '" + path + "' (truncated or corrupt?): " + first_line(e));
  }
  return archive;
}

void read_weights(model::Transformer& model, torch::serialize::InputArchive& archive, const std::string& path) {
  // Module::load replaces tensors wholesale (set_), shapes included: check them.
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& item : model->named_parameters()) expected[item.key()] = item.value().sizes().vec();
  for (const auto& item : model->named_buffers()) expected[item.key()] = item.value().sizes().vec();
  try {
    model->load(archive);
  } catch (const std::exception& e) {
    throw UserError("cannot load weights '" + path + "': " + first_line(e));
  }
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    const auto it = expected.find(name);
    if (it != expected.end() && it->second != t.sizes().vec()) {
      std::ostringstream m;
      m << "weights '" << path << "' do not fit this model: '" << name << "' has shape " << t.sizes()
        << " in the file but " << c10::IntArrayRef(it->second) << " in the model (config.toml and weights disagree)";
      throw UserError(m.str());
    }
  };
  for (const auto& item : model->named_parameters()) check(item.key(), item.value());
  for (const auto& item : model->named_buffers()) check(item.key(), item.value());
}

void write_archive_atomic(torch::serialize::OutputArchive& archive, const std::string& path,
                          const std::function<void()>& before_commit) {
  write_file_atomic_with(
      path,
      [&](const ByteSink& sink) {
        archive.save_to([&](const void* data, size_t size) -> size_t {
          // Never report a short write to torch: its writer would throw again from its
          // destructor (std::terminate). The sink keeps the first error, and
          // write_file_atomic_with reports it once the archive is done.
          sink(data, size);
          return size;
        });
      },
      before_commit);
}

void pause_for_test_save_delay() {
  static const int delay_ms = [] {
    const char* v = std::getenv("CROSSTALK_TEST_SAVE_DELAY_MS");
    return v ? std::max(0, std::atoi(v)) : 0;
  }();
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
}

void save_weights(model::Transformer& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  write_archive_atomic(archive, path, pause_for_test_save_delay);
}

void load_weights(model::Transformer& model, const std::string& path) {
  auto archive = open_archive(path, "weights");
  read_weights(model, archive, path);
}

}  // namespace crosstalk::store
