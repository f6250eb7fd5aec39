// Fuzzes the training checkpoint reader (a job's resume point). Property: a file that loads is
// exactly what saving the loaded weights writes (the format has one encoding per checkpoint).
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "core/train/model_weights.h"
#include "fuzz/fuzz_support.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Where save_checkpoint writes: tmpfs when there is one (it fsyncs every file).
std::string scratch_path() {
  const std::string dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return dir + "/w2v-fuzz-checkpoint-" + std::to_string(::getpid());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(w2v::fuzz::as_text(data, size));
  const w2v::fuzz::MemoryFile file(bytes);
  w2v::Checkpoint c;
  try {
    c = w2v::load_checkpoint(file.path());
  } catch (const std::runtime_error&) {
    return 0;
  }
  FUZZ_CHECK(c.epochs_done >= 0);
  FUZZ_CHECK(c.weights.input.cols() == c.weights.output.cols());
  const std::string path = scratch_path();
  w2v::save_checkpoint(path, c.weights, c.epochs_done);
  const std::string saved = read_file(path);
  ::unlink(path.c_str());
  FUZZ_CHECK(saved == bytes);
  return 0;
}
