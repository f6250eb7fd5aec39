#pragma once
// The listener, after Beast's advanced server: a strand accepting connections and admitting
// them under the connection caps (in all, and per client address), the registry of live
// sessions and of deferred steps, stopping with a grace period, and signal handling. It owns
// the io_context and is what the sessions share.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/http/http_server.h"
#include "server/http/net.h"
#include "server/http/pending_step.h"

namespace w2v::server::http_io {

class Listener {
 public:
  Listener(const Router& router, HttpLimits limits, HttpHooks hooks);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const { return port_.load(); }
  void run(int io_threads);
  void stop(std::chrono::milliseconds grace);
  void handle_signals(std::function<void(int)> on_signal);
  bool stopping() const noexcept { return stopping_.load(); }
  std::size_t active_connections() const noexcept { return active_.load(); }

  // For the sessions.
  const Router& router;
  const HttpLimits limits;
  const HttpHooks hooks;
  void add_session(const std::shared_ptr<Session>& s);
  // A session is gone; counted: it held a place under the caps (address is its client's).
  void remove_session(Session* s, const std::string& address, bool counted) noexcept;
  void add_step(const std::shared_ptr<PendingStep>& step);
  void remove_step(PendingStep* step) noexcept;

 private:
  // Why a connection is refused, or nullopt when it is admitted (and counted).
  std::optional<std::string> admit(const std::string& address);
  std::vector<std::shared_ptr<Session>> live_sessions();
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void arm_signals();
  void on_grace_expired();

  std::atomic<bool> stopping_{false};
  std::atomic<bool> destroying_{false};
  std::atomic<std::uint16_t> port_{0};
  std::atomic<std::size_t> active_{0};  // admitted connections (not the ones refused with 503)
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> per_address_;  // admitted connections by address
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<PendingStep*, std::weak_ptr<PendingStep>> steps_;
  std::function<void(int)> on_signal_;
  // Declared after everything the sessions touch: destroying the io_context destroys the
  // sessions its pending handlers still own.
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  net::steady_timer grace_timer_;
  std::optional<net::signal_set> signals_;
};

}  // namespace w2v::server::http_io
