// HttpServer is the listener (server/http/listener.h) behind a Beast-free interface.

#include "server/http/http_server.h"

#include "server/http/listener.h"

namespace w2v::server {

struct HttpServer::Impl : http_io::Listener {
  using http_io::Listener::Listener;
};

HttpServer::HttpServer(const Router& router, HttpLimits limits, HttpHooks hooks)
    : impl_(std::make_unique<Impl>(router, limits, std::move(hooks))) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen(const std::string& address, std::uint16_t port) {
  impl_->listen(address, port);
}
std::uint16_t HttpServer::port() const {
  return impl_->port();
}
void HttpServer::run(int io_threads) {
  impl_->run(io_threads);
}
void HttpServer::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}
void HttpServer::handle_signals(std::function<void(int)> on_signal) {
  impl_->handle_signals(std::move(on_signal));
}
bool HttpServer::stopping() const noexcept {
  return impl_->stopping();
}
std::size_t HttpServer::active_connections() const noexcept {
  return impl_->active_connections();
}

}  // namespace w2v::server
