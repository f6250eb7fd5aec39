#include "core/distributed/mpi/mpi_communicator.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "core/base/sanitizers.h"

#ifdef W2V_ASAN
#include <sanitizer/lsan_interface.h>

// LeakSanitizer reads these at start-up in every program linking this file (w2vd, the MPI tests).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpmix.so\nleak:libopen-pal.so\nleak:libopen-rte.so\nleak:libmpi.so\n"
         "leak:/openmpi/lib/\n";
}
#endif

namespace w2v::distributed {
namespace {

// Open MPI 4.1 (with PMIx) leaves blocks unfreed from MPI_Init to MPI_Finalize, some allocated
// by components it loads and unloads again, whose stacks LeakSanitizer can only show as an
// "unknown module" that no suppression can name. Under ASan, MPI's initialisation and
// finalisation therefore run with leak tracking off for their thread (LSan's ScopedDisabler), the
// leak check runs just before MPI_Finalize (so it replaces the one at exit, which would see
// finalisation's leaks of other threads), and what MPI's own threads leak is suppressed by the
// libraries' names (below). Everything of ours stays checked.
#ifdef W2V_ASAN
using LeakTrackingOff = __lsan::ScopedDisabler;
#else
struct LeakTrackingOff {};
#endif

void finalize_mpi() {
#ifdef W2V_ASAN
  __lsan_do_leak_check();
#endif
  [[maybe_unused]] const LeakTrackingOff off;
  MPI_Finalize();
}

// MPI counts are ints: large buffers go in pieces of at most this many elements.
constexpr std::size_t kMaxCount = std::size_t{1} << 30;

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string(what) + ": " + std::string(text, length));
}

// Starts a nonblocking operation and waits for it by testing, sleeping between tests once it
// has taken more than a moment. Blocking MPI calls busy-wait (Open MPI polls its transports),
// which would take a core from the training threads for as long as a round waits for the
// slowest rank; testing drives the transfer forward, so the sleeps stay short.
template <class Start>
void complete(const char* what, Start&& start) {
  using namespace std::chrono;
  MPI_Request request;
  check(start(&request), what);
  const auto begin = steady_clock::now();
  for (;;) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), what);
    if (done) return;
    const auto waited = steady_clock::now() - begin;
    if (waited < microseconds(50)) continue;
    std::this_thread::sleep_for(waited < milliseconds(5) ? microseconds(20) : microseconds(200));
  }
}

template <class T, class Fn>
void in_pieces(T* data, std::size_t n, Fn&& fn) {
  for (std::size_t done = 0; done < n; done += kMaxCount) {
    fn(data + done, static_cast<int>(std::min(kMaxCount, n - done)));
  }
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    // Errors come back as codes (turned into exceptions) instead of aborting the process.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return size_; }

  // The model's rows: summed right after a control exchange every rank has passed, so the
  // call is a transfer, not a wait for a slower rank, and MPI's blocking (polling) collective is
  // the fastest way through it.
  void allreduce_sum(std::span<float> data) override {
    bytes_ += data.size_bytes();
    in_pieces(data.data(), data.size(), [](float* p, int n) {
      check(MPI_Allreduce(MPI_IN_PLACE, p, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    });
  }
  // Control exchanges, where a rank may wait for the slowest one: waited for politely.
  void allreduce_sum(std::span<double> data) override {
    bytes_ += data.size_bytes();
    in_pieces(data.data(), data.size(), [](double* p, int n) {
      complete("MPI_Iallreduce", [&](MPI_Request* r) {
        return MPI_Iallreduce(MPI_IN_PLACE, p, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, r);
      });
    });
  }
  void broadcast(std::span<std::byte> data, int root) override {
    in_pieces(data.data(), data.size(), [root](std::byte* p, int n) {
      complete("MPI_Ibcast",
               [&](MPI_Request* r) { return MPI_Ibcast(p, n, MPI_BYTE, root, MPI_COMM_WORLD, r); });
    });
  }
  void send(std::span<const std::byte> data, int dest) override {
    in_pieces(data.data(), data.size(), [dest](const std::byte* p, int n) {
      complete("MPI_Isend", [&](MPI_Request* r) {
        return MPI_Isend(p, n, MPI_BYTE, dest, 0, MPI_COMM_WORLD, r);
      });
    });
  }
  void receive(std::span<std::byte> data, int source) override {
    in_pieces(data.data(), data.size(), [source](std::byte* p, int n) {
      complete("MPI_Irecv", [&](MPI_Request* r) {
        return MPI_Irecv(p, n, MPI_BYTE, source, 0, MPI_COMM_WORLD, r);
      });
    });
  }
  void barrier() override {
    complete("MPI_Ibarrier", [](MPI_Request* r) { return MPI_Ibarrier(MPI_COMM_WORLD, r); });
  }
  std::uint64_t allreduce_bytes() const noexcept override { return bytes_; }

 private:
  int rank_ = 0, size_ = 1;
  std::uint64_t bytes_ = 0;
};

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return -1;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return *end == '\0' && n >= 0 && n <= INT_MAX ? static_cast<int>(n) : -1;
}

}  // namespace

int launcher_rank() noexcept {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    if (const int r = env_int(name); r >= 0) return r;
  }
  return -1;
}

bool launched_by_mpi() noexcept {
  return launcher_rank() >= 0;
}

MpiSession::MpiSession() {
  int provided = 0;
  [[maybe_unused]] const LeakTrackingOff off;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) {
    finalize_mpi();
    throw std::runtime_error("MPI does not provide MPI_THREAD_FUNNELED");
  }
  world_ = std::make_unique<MpiCommunicator>();
}

MpiSession::~MpiSession() {
  world_.reset();
  finalize_mpi();
}

std::string MpiSession::host() const {
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  if (MPI_Get_processor_name(name, &length) != MPI_SUCCESS) return "?";
  return std::string(name, static_cast<std::size_t>(length));
}

}  // namespace w2v::distributed
