#include "server/access/auth_throttle.h"

#include <algorithm>

namespace w2v::server {

namespace {
// Addresses remembered at most; beyond, full budgets are forgotten first (they are the default).
constexpr std::size_t kMaxAddresses = 4096;
}  // namespace

AuthThrottle::Budget& AuthThrottle::budget(const std::string& address, Clock::time_point now) {
  auto it = budgets_.find(address);
  if (it == budgets_.end()) {
    if (budgets_.size() >= kMaxAddresses) {
      for (auto i = budgets_.begin(); i != budgets_.end();) {
        const double seconds = std::chrono::duration<double>(now - i->second.at).count();
        i = i->second.left + seconds * rate_ >= burst_ ? budgets_.erase(i) : std::next(i);
      }
      if (budgets_.size() >= kMaxAddresses) budgets_.clear();
    }
    it = budgets_.emplace(address, Budget{burst_, now}).first;
  }
  Budget& b = it->second;
  const double seconds = std::chrono::duration<double>(now - b.at).count();
  b.left = std::min(burst_, b.left + std::max(0.0, seconds) * rate_);
  b.at = now;
  return b;
}

bool AuthThrottle::may_try(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  return budget(address, now).left >= 1;
}

void AuthThrottle::failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Budget& b = budget(address, now);
  b.left = std::max(0.0, b.left - 1);
}

}  // namespace w2v::server
