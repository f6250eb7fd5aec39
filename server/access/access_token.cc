#include "server/access/access_token.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/base/ascii.h"

namespace w2v::server {

namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Runs over the longer input whatever the contents, so timing does not reveal a prefix.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string trimmed(std::string s) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && space(s[start])) ++start;
  return s.substr(start);
}

// 40 characters of [a-z0-9] from the kernel's generator (new_id's, 200 bits in all).
std::string new_token() {
  std::string token;
  while (token.size() < 40) token += new_id(nullptr);
  return token.substr(0, 40);
}

std::string read_token(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the token file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = trimmed(ss.str());
  if (token.empty()) throw std::runtime_error("the token file " + path + " is empty");
  return token;
}

// Written under a temporary name with mode 0600 and renamed: complete or absent.
void write_token(const std::string& path, const std::string& token) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
  const std::string line = token + "\n";
  const bool ok = ::fchmod(fd, 0600) == 0 &&
                  ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(ok ? errno : saved));
  }
}

}  // namespace

bool is_loopback_address(const std::string& bind) {
  std::string b = ascii_lower(bind);
  if (b.size() >= 2 && b.front() == '[' && b.back() == ']') b = b.substr(1, b.size() - 2);
  if (b == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, b.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, b.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

AccessToken resolve_access_token(const ServerConfig& config, const DataDir& dirs) {
  AccessToken out;
  if (!config.token.empty()) {
    out.token = config.token;
    return out;
  }
  if (config.no_auth || is_loopback_address(config.bind)) return out;
  out.generated = true;
  out.file = dirs.token_file();
  struct stat st {};
  if (::stat(out.file.c_str(), &st) == 0) {
    out.token = read_token(out.file);
  } else {
    out.token = new_token();
    write_token(out.file, out.token);
  }
  return out;
}

bool bearer_matches(std::string_view authorization, const std::string& token) {
  if (authorization.size() < 7 || ascii_lower(authorization.substr(0, 6)) != "bearer" ||
      authorization[6] != ' ') {
    return false;
  }
  std::string_view presented = authorization.substr(7);
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  return constant_time_equal(presented, token);
}

}  // namespace w2v::server
