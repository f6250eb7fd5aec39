#pragma once
// Slows down guessing the token: each client address has a budget of wrong credentials (a
// burst, refilled a few per second). Once it is spent, requests from that address that present
// credentials are refused (429, Retry-After) without the token being compared at all, so no
// client learns more than a few guesses' worth per second, however many connections it opens.
// Requests without credentials (a first visit, which the dashboard answers with its token
// dialog) cost nothing. Called briefly from the I/O threads.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace w2v::server {

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  AuthThrottle(double burst = 20, double per_second = 4) : burst_(burst), rate_(per_second) {}

  // Whether the address may have credentials checked now.
  bool may_try(const std::string& address, Clock::time_point now = Clock::now());
  // A wrong credential from the address spends one of its budget.
  void failed(const std::string& address, Clock::time_point now = Clock::now());

 private:
  struct Budget {
    double left = 0;
    Clock::time_point at{};
  };
  Budget& budget(const std::string& address, Clock::time_point now);

  const double burst_;
  const double rate_;
  std::mutex mu_;
  std::unordered_map<std::string, Budget> budgets_;
};

}  // namespace w2v::server
