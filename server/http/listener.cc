#include "server/http/listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "server/http/session.h"

namespace w2v::server::http_io {

namespace {
// Between the grace period's end (connections force-closed) and stopping the io_context.
constexpr std::chrono::seconds kHardStopDelay{1};
}  // namespace

Listener::Listener(const Router& router, HttpLimits limits, HttpHooks hooks)
    : router(router),
      limits(limits),
      hooks(std::move(hooks)),
      strand_(net::make_strand(ioc_)),
      acceptor_(strand_),
      accept_retry_(strand_),
      grace_timer_(strand_) {}

Listener::~Listener() {
  destroying_ = true;
  // Steps still running elsewhere: their sessions go now, while the io_context lives; a later
  // completion finds no session and is dropped.
  std::vector<std::shared_ptr<PendingStep>> steps;
  {
    std::lock_guard lock(mu_);
    for (auto& [ptr, weak] : steps_) {
      if (auto step = weak.lock()) steps.push_back(std::move(step));
    }
    steps_.clear();
  }
  std::vector<std::shared_ptr<Session>> orphans;
  for (auto& step : steps) {
    std::lock_guard lock(step->mu);
    if (step->session) orphans.push_back(std::move(step->session));
  }
  orphans.clear();
  error_code ec;
  acceptor_.close(ec);
  if (signals_) {
    signals_->cancel(ec);
    signals_->clear(ec);
  }
  // Members go in reverse order: the timers, acceptor and signal set first, then the
  // io_context with any sessions still referenced by its handlers (their destructors abort
  // unfinished uploads and use mu_ and sessions_, which are still alive).
}

std::optional<std::string> Listener::admit(const std::string& address) {
  std::lock_guard lock(mu_);
  if (active_.load() >= limits.max_connections) {
    return "the server has too many open connections (" + std::to_string(limits.max_connections) +
           "); retry later";
  }
  std::size_t& mine = per_address_[address];
  if (mine >= limits.max_connections_per_ip) {
    if (mine == 0) per_address_.erase(address);
    return "too many open connections from " + address + " (the limit is " +
           std::to_string(limits.max_connections_per_ip) + " per address); retry later";
  }
  ++mine;
  active_.fetch_add(1);
  return std::nullopt;
}

void Listener::add_session(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu_);
  sessions_.emplace(s.get(), s);
}

void Listener::remove_session(Session* s, const std::string& address, bool counted) noexcept {
  try {
    bool last = false;
    {
      std::lock_guard lock(mu_);
      sessions_.erase(s);
      last = sessions_.empty();
      if (counted) {
        active_.fetch_sub(1);
        auto it = per_address_.find(address);
        if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
      }
    }
    if (last && stopping_.load() && !destroying_.load()) {
      // Nothing left to wait for: let run() return without waiting for the grace period.
      net::post(strand_, [this] {
        std::lock_guard lock(mu_);
        if (sessions_.empty()) grace_timer_.cancel();
      });
    }
  } catch (...) {
    // only from a failed post (out of memory): the grace timer then simply runs out
  }
}

void Listener::add_step(const std::shared_ptr<PendingStep>& step) {
  std::lock_guard lock(mu_);
  std::erase_if(steps_, [](const auto& entry) { return entry.second.expired(); });
  steps_.emplace(step.get(), step);
}

void Listener::remove_step(PendingStep* step) noexcept {
  std::lock_guard lock(mu_);
  steps_.erase(step);
}

std::vector<std::shared_ptr<Session>> Listener::live_sessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu_);
  out.reserve(sessions_.size());
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Listener::listen(const std::string& address, std::uint16_t port) {
  error_code ec;
  auto addr = net::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + address + "': " + ec.message());
  tcp::endpoint endpoint(addr, port);
  auto fail = [&](const char* what) {
    std::string msg = std::string("cannot ") + what + " " + address + ":" + std::to_string(port) +
                      ": " + ec.message();
    error_code ignored;
    acceptor_.close(ignored);
    throw std::runtime_error(msg);
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) fail("open a socket for");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) fail("configure");
  if (acceptor_.bind(endpoint, ec); ec) fail("bind to");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) fail("listen on");
  auto local = acceptor_.local_endpoint(ec);
  if (ec) fail("query the port of");
  port_ = local.port();
  net::post(strand_, [this] { do_accept(); });
}

void Listener::do_accept() {
  if (stopping_.load() || !acceptor_.is_open()) return;
  acceptor_.async_accept(net::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
    try {
      on_accept(ec, std::move(socket));
    } catch (const std::exception& e) {
      spdlog::error("accepting a connection failed: {}", e.what());
      do_accept();
    }
  });
}

void Listener::on_accept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping_.load()) return;
  if (ec) {
    // e.g. out of file descriptors: try again shortly rather than spin
    spdlog::warn("accept failed: {}", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](error_code e) {
      if (!e) do_accept();
    });
    return;
  }
  error_code ignored;
  auto ep = socket.remote_endpoint(ignored);
  std::string address = ignored ? std::string("-") : ep.address().to_string();
  auto refusal = admit(address);
  auto session = std::make_shared<Session>(*this, std::move(socket), address, !refusal);
  if (refusal) {
    session->start_refused(*refusal);
  } else {
    session->start();
  }
  do_accept();
}

void Listener::run(int io_threads) {
  auto loop = [this] {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("exception escaped into the I/O loop: {}", e.what());
      } catch (...) {
        spdlog::error("unknown exception escaped into the I/O loop");
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i) threads.emplace_back(loop);
  loop();
  for (auto& t : threads) t.join();
}

void Listener::stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  net::post(strand_, [this, grace] {
    error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
    if (signals_) {
      signals_->cancel(ec);
      signals_->clear(ec);  // a second SIGINT/SIGTERM gets the default action again
    }
    auto live = live_sessions();
    for (auto& s : live) net::post(s->executor(), [s] { s->on_server_stop(); });
    if (live.empty()) return;
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([this](error_code e) {
      if (!e) on_grace_expired();
    });
  });
}

void Listener::on_grace_expired() {
  auto live = live_sessions();
  if (live.empty()) return;
  spdlog::warn("closing {} connection(s) still open after the shutdown grace period", live.size());
  for (auto& s : live) net::post(s->executor(), [s] { s->force_close(); });
  grace_timer_.expires_after(kHardStopDelay);
  grace_timer_.async_wait([this](error_code e) {
    if (e) return;
    spdlog::warn("connections still busy after closing; stopping the I/O loop");
    ioc_.stop();
  });
}

void Listener::handle_signals(std::function<void(int)> on_signal) {
  on_signal_ = std::move(on_signal);
  signals_.emplace(strand_, SIGINT, SIGTERM);
  arm_signals();
}

void Listener::arm_signals() {
  signals_->async_wait([this](error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}", signo);
    try {
      if (on_signal_) on_signal_(signo);
    } catch (const std::exception& e) {
      spdlog::error("signal handler failed: {}", e.what());
    } catch (...) {
      spdlog::error("signal handler failed");
    }
    if (!stopping_.load()) arm_signals();
  });
}

}  // namespace w2v::server::http_io
