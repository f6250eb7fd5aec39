#include "server/store/storage_errors.h"

#include "core/base/atomic_file.h"

namespace w2v::server {

bool is_storage_full(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const StoreUnavailable*>(&e)) return s->disk_full();
  return is_disk_full(e);
}

void rethrow_as_storage_error(const std::string& writing, const std::string& dir) {
  try {
    throw;
  } catch (const proto::ApiError&) {
    throw;
  } catch (const std::exception& e) {
    if (!is_storage_full(e)) throw;
    throw proto::ApiError(507, "insufficient_storage",
                          "disk full while writing " + writing + " in " + dir +
                              ": free space there and send it again");
  }
}

std::string describe_write_failure(const std::exception& e, const std::string& what,
                                   std::uint64_t bytes_needed, const std::string& dir) {
  if (!is_storage_full(e)) return "cannot write " + what + ": " + e.what();
  const std::uint64_t mb = (bytes_needed + (1u << 20) - 1) >> 20;
  return "disk full while writing " + what + " (needs ~" + std::to_string(mb) + " MB in " + dir +
         ")";
}

}  // namespace w2v::server
