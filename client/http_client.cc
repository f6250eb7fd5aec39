// HttpClient's calls, each one exchange on the connection (client/http_connection.h): what to
// send, how the answer's body is consumed, and the guard that closes the connection when a
// call fails part-way. No Beast here.

#include "client/http_client.h"

#include <optional>
#include <string_view>
#include <utility>

#include "client/http_connection.h"
#include "client/part_file.h"
#include "client/sse_parser.h"
#include "client/upload_body.h"

namespace w2v::client {
namespace {

bool success(int status) {
  return status >= 200 && status <= 299;
}

// POSTs body: with Content-Length when its size is known and it goes as it is, chunked
// otherwise, asking for "100 Continue" first so that a refusal (401, 413, 415, ...) comes
// before gigabytes are sent.
HttpResponse post_body(HttpConnection& connection, const std::string& target,
                       const UploadBody& body, const std::string& content_type, bool gzip,
                       const std::map<std::string, std::string>& headers,
                       const UploadProgress& progress) {
  RequestHead head{"POST", target, {headers.begin(), headers.end()}};
  head.fields.emplace_back("Content-Type", content_type);
  if (gzip) head.fields.emplace_back("Content-Encoding", "gzip");
  const std::optional<std::uint64_t> length = gzip ? std::nullopt : body.size;
  const bool expect_continue = !length || *length > 0;
  if (auto refused = connection.begin_upload(head, length, expect_continue)) return *refused;
  const bool sent_all = send_upload_body(
      body, gzip,
      [&](const char* data, std::size_t n, bool more) {
        return connection.send_body(data, n, more);
      },
      progress);
  return connection.finish_upload(sent_all);
}

}  // namespace

HttpClient::HttpClient(ClientOptions options)
    : options_(std::move(options)), connection_(std::make_unique<HttpConnection>(options_)) {}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& content_type,
                                 const std::map<std::string, std::string>& headers) {
  return connection_->guarded([&] {
    RequestHead head{method, target, {}};
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      head.fields.emplace_back("Content-Type", content_type);
    }
    head.fields.insert(head.fields.end(), headers.begin(), headers.end());
    HttpResponse out = connection_->send(head, body);
    connection_->read_rest(out);
    return out;
  });
}

HttpResponse HttpClient::upload_file(
    const std::string& target, const std::string& path, const std::string& content_type, bool gzip,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  return connection_->guarded([&] {
    return post_body(*connection_, target, file_upload_body(path), content_type, gzip, {},
                     progress);
  });
}

HttpResponse HttpClient::upload_stream(
    const std::string& target, const BodyReader& read, const std::string& content_type, bool gzip,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress,
    const std::map<std::string, std::string>& headers) {
  return connection_->guarded([&] {
    const UploadBody body{read, std::nullopt, "the upload's source"};
    return post_body(*connection_, target, body, content_type, gzip, headers, progress);
  });
}

HttpResponse HttpClient::download_to(const std::string& target,
                                     const std::function<void(const char*, std::size_t)>& sink) {
  return connection_->guarded([&] {
    HttpResponse out = connection_->send({"GET", target, {}});
    if (!success(out.status)) {
      connection_->read_rest(out);
      return out;
    }
    connection_->read_body(
        [&](const char* data, std::size_t n) {
          sink(data, n);
          return true;
        },
        "downloading");
    return out;
  });
}

HttpResponse HttpClient::download(const std::string& target, const std::string& path) {
  return connection_->guarded([&] {
    std::optional<PartFile> file;  // created when a 2xx body comes
    HttpResponse out = download_to(target, [&](const char* data, std::size_t n) {
      if (!file) file.emplace(path);
      file->write(data, n);
    });
    if (success(out.status)) {
      if (!file) file.emplace(path);
      file->commit();
    }
    return out;
  });
}

int HttpClient::stream_events(
    const std::string& target,
    const std::function<bool(const std::string& event, const std::string& data)>& on_event,
    std::string* error_body) {
  return connection_->guarded([&] {
    HttpResponse out = connection_->send(
        {"GET", target, {{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}}});
    if (out.status != 200) {
      connection_->read_rest(out);
      if (error_body) *error_body = std::move(out.body);
      return out.status;
    }
    SseParser parser;
    connection_->read_body(
        [&](const char* data, std::size_t n) {
          parser.feed(std::string_view(data, n));
          while (auto e = parser.next()) {
            if (!on_event(e->event, e->data)) return false;
          }
          return true;
        },
        "reading the event stream of");
    return out.status;
  });
}

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace w2v::client
