#include "api/server.h"

#include <simdjson.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <set>

#include "api/call.h"
#include "api/web_assets.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/thread.h"

namespace wf::api {

StorePool::Lease::~Lease() {
  if (pool_ == nullptr || !store_) return;
  std::lock_guard lock(pool_->mu_);
  pool_->idle_.push_back(std::move(store_));
}

Result<StorePool::Lease> StorePool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(s));
    }
  }
  auto s = store::open_store(uri_);
  if (!s.ok()) return s.take_error();
  return Lease(this, std::move(*s));
}

// --- Call ----------------------------------------------------------------------------

simdjson::dom::parser& Call::parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

void Call::json(int code, std::string body) {
  status = code;
  res.status = code;
  res.set_content(std::move(body), "application/json");
}

void Call::error(int code, std::string_view error_code, const std::string& message) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("error").begin_object();
  w.key("code").string(error_code).key("message").string(message);
  w.end_object().end_object();
  json(code, std::move(out));
}

std::optional<std::string> Call::query(const std::string& name) const {
  if (!req.has_param(name)) return std::nullopt;
  return req.param(name);
}

std::string Call::path(const std::string& name) const {
  // The route's {names} in order are req.matches.
  size_t index = 0;
  for (size_t at = route.path.find('{'); at != std::string::npos;
       at = route.path.find('{', at + 1), ++index) {
    const size_t end = route.path.find('}', at);
    if (route.path.compare(at + 1, end - at - 1, name) == 0 && index < req.matches.size()) {
      return req.matches[index];
    }
  }
  return {};
}

store::Store& Call::db() {
  if (!lease_) {
    auto l = server_.pool_.acquire();
    if (!l.ok()) throw StoreUnavailable(l.error().message);
    lease_.emplace(std::move(*l));
  }
  return **lease_;
}

std::optional<int64_t> Call::int_param(const std::string& name, int64_t fallback, int64_t lo,
                                       int64_t hi) {
  auto text = query(name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < lo || v > hi) {
    error(400, "bad_request",
          "'" + name + "' must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return std::nullopt;
  }
  return v;
}

std::optional<std::optional<std::string>> Call::time_param(const std::string& name) {
  auto text = query(name);
  if (!text) return std::optional<std::string>();
  auto t = parse_rfc3339(*text);
  if (!t.ok()) {
    error(400, "bad_request", "'" + name + "' must be an RFC 3339 time");
    return std::nullopt;
  }
  return std::optional<std::string>(format_utc(*t));
}

std::string_view Call::body_string(std::string_view field) const {
  std::string_view v;
  if (body.is_object() && !body[field].get(v)) return v;
  return {};
}

bool Call::body_has(std::string_view field) const {
  return body.is_object() && !body[field].error();
}

void Call::audit(const std::string& action, const std::string& target, const std::string& detail) {
  server_.audit(*this, action, target, detail);
}

// --- Server --------------------------------------------------------------------------

Server::Server(ServerOptions options, Tokens tokens)
    : options_(std::move(options)), tokens_(std::move(tokens)), pool_(options_.store_uri) {
  add_routes();
}

Server::~Server() { stop(); }

void Server::audit(Call& call, const std::string& action, const std::string& target,
                   const std::string& detail) {
  const std::string who = call.claims ? call.claims->username : "-";
  const std::string role = call.claims ? std::string(role_name(call.claims->role)) : "-";
  auto n = call.db().execute(
      "INSERT INTO " + store::table_name(call.db().kind(), "audit_log") +
          " (at, username, role, action, target, detail, remote_addr) VALUES ($1, $2, $3, $4, $5,"
          " $6, $7)",
      {format_utc(SystemClock().now()), who, role, action, target, detail, call.req.remote_addr});
  if (!n.ok()) log::warn("api: audit log: " + n.error().message);
}

Result<Claims> Server::verify_cached(std::string_view token) {
  // A client sends the same token with every request: each serving thread remembers the
  // last one it verified (until it expires), sparing the signature check.
  thread_local std::string last_token;
  thread_local Claims last_claims;
  thread_local const Server* last_server = nullptr;
  const Instant now = SystemClock().now();
  if (last_server == this && token == last_token && now < last_claims.expires_at) {
    return last_claims;
  }
  auto claims = tokens_.verify(token, now);
  if (claims.ok()) {
    last_token = std::string(token);
    last_claims = *claims;
    last_server = this;
  }
  return claims;
}

namespace {

// "/api/v1/alerts/{id}" against "/api/v1/alerts/42": the {names}' values, decoded, or
// false when the path is another one.
bool match_path(std::string_view pattern, std::string_view path, std::vector<std::string>* out) {
  out->clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view got = path.substr(0, path.find('/'));
    if (want.starts_with('{')) {
      std::string value;
      if (got.empty() || !percent_decode(got, false, &value)) return false;
      out->push_back(std::move(value));
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(got.size());
  }
  return true;
}

std::string error_json(std::string_view code, std::string_view message) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("error").begin_object();
  w.key("code").string(code).key("message").string(message);
  w.end_object().end_object();
  return out;
}

}  // namespace

namespace {

// The dashboard's files: "/" is its index.html, hashed assets are cached for good. The
// lookup is by exact path in the embedded table, so no request reaches the file system.
bool static_asset(const Request& req, Response& res) {
  if (req.method != "GET") return false;
  const std::string_view path = req.path == "/" ? std::string_view("/index.html") : req.path;
  for (const WebAsset& a : web_assets()) {
    if (a.path != path) continue;
    res.status = 200;
    res.set_content(std::string(a.data), std::string(a.content_type));
    res.set_header("Cache-Control", path.starts_with("/assets/")
                                        ? "public, max-age=31536000, immutable"
                                        : "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                   "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                   "form-action 'self'");
    return true;
  }
  return false;
}

}  // namespace

Response Server::handle(Request req) {
  Response res;
  if (const Route* route = find_route(req, res)) dispatch(*route, req, res);
  return res;
}

const Route* Server::find_route(Request& req, Response& res) const {
  const size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.params.clear();
  if (q != std::string::npos &&
      !parse_query(std::string_view(req.target).substr(q + 1), &req.params)) {
    res.status = 400;
    res.set_content(error_json("bad_request", "malformed query string"), "application/json");
    return nullptr;
  }
  std::string allowed;
  for (const Route& route : routes_) {
    if (!match_path(route.path, req.path, &req.matches)) continue;
    if (route.method == req.method) return &route;
    allowed += (allowed.empty() ? "" : ", ") + route.method;
  }
  req.matches.clear();
  if (allowed.empty() && static_asset(req, res)) return nullptr;
  if (allowed.empty()) {
    res.status = 404;
    res.set_content(error_json("not_found", "no such route"), "application/json");
  } else {
    res.status = 405;
    res.set_header("Allow", allowed);
    res.set_content(error_json("method_not_allowed", "this route takes " + allowed),
                    "application/json");
  }
  return nullptr;
}

void Server::dispatch(const Route& route, Request& req, Response& res) {
  const auto started = std::chrono::steady_clock::now();
  Call call(*this, route, req, res);
  try {
    bool ok = true;
    // Unknown query parameters are refused: a typo must not silently widen a filter.
    for (const auto& [name, value] : req.params) {
      bool known = false;
      for (const Param& p : route.query) known |= p.name == name;
      if (!known) {
        call.error(400, "bad_request", "unknown parameter '" + name + "'");
        ok = false;
        break;
      }
    }
    if (ok && route.role) {
      const std::string header = req.header("Authorization");
      if (!header.starts_with("Bearer ")) {
        res.set_header("WWW-Authenticate", "Bearer");
        call.error(401, "unauthorized", "a bearer token is required");
        ok = false;
      } else if (auto claims = verify_cached(std::string_view(header).substr(7)); !claims.ok()) {
        res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        call.error(401, "unauthorized", claims.error().message);
        ok = false;
      } else if (claims->role < *route.role) {
        call.claims = *claims;
        call.error(403, "forbidden",
                   "this needs the " + std::string(role_name(*route.role)) + " role");
        ok = false;
      } else {
        call.claims = *claims;
      }
    }
    if (ok && !route.body.empty()) {
      const std::string type = req.header("Content-Type");
      if (!type.starts_with("application/json")) {
        call.error(415, "unsupported_media_type", "send the body as application/json");
        ok = false;
      } else if (Call::parser().parse(req.body).get(call.body) || !call.body.is_object()) {
        call.error(400, "bad_request", "the body must be a JSON object");
        ok = false;
      } else {
        for (auto field : call.body.get_object()) {
          bool known = false;
          for (const std::string& f : route.body) known |= f == field.key;
          if (!known) {
            call.error(400, "bad_request", "unknown field '" + std::string(field.key) + "'");
            ok = false;
            break;
          }
        }
      }
    }
    if (ok) route.handler(call);
  } catch (const StoreUnavailable& e) {
    log::warn(std::string("api: store unavailable: ") + e.what());
    call.error(503, "unavailable", "the store is unavailable");
  } catch (const std::exception& e) {
    log::error(std::string("api: ") + route.method + " " + route.path + ": " + e.what());
    call.error(500, "internal", "internal error");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.record(route.path, route.method, call.status, seconds);
}

// --- Transport (Boost.Beast) ---------------------------------------------------------

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Server::Transport {
  explicit Transport(int io_threads, int handler_threads)
      : io(io_threads), handlers(static_cast<size_t>(handler_threads)) {}
  asio::io_context io;
  // The acceptor's handlers and its close run on one strand (it is not thread-safe).
  tcp::acceptor acceptor{asio::make_strand(io)};
  asio::steady_timer accept_retry{acceptor.get_executor()};
  asio::thread_pool handlers;  // requests that use the store
  std::vector<std::thread> loop;
  // Streamed answers each hold a thread and a socket until they end.
  std::mutex streams_mu;
  std::condition_variable streams_cv;
  std::set<int> stream_fds;  // for stop() to shut them down
  int streams = 0;           // stream threads still running
  std::atomic<bool> stopping{false};
};

namespace {
constexpr size_t kHeaderLimit = 16 * 1024;
constexpr int kMaxStreams = 256;  // server-sent event streams at once (a thread each)
}  // namespace

// One connection: reads requests one after another (keep-alive, pipelining), answers
// each from the loop or a handler thread, and hands streamed answers to a thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server& server)
      : stream_(std::move(socket)), deadline_(stream_.get_executor()), server_(server) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
  }

  void start() { wait_for_request(); }

 private:
  using Options = ServerOptions;
  const Options& options() const { return server_.options_; }

  void wait_for_request() {
    if (buffer_.size() > 0) {  // a pipelined request is already here
      read_request();
      return;
    }
    // Idle between requests: the first byte may take up to the keep-alive timeout.
    stream_.expires_after(std::chrono::microseconds(options().keep_alive_timeout_us));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  void read_request() {
    parser_.emplace();
    parser_->body_limit(options().max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    // The whole request (headers and body) within the read timeout: a slow client is
    // answered 408 (the stream's own timeout would close the socket unanswered).
    stream_.expires_never();
    timed_out_ = false;
    const uint64_t read = ++reads_;  // a deadline that fires late must not touch the next
    reading_ = true;
    deadline_.expires_after(std::chrono::microseconds(options().read_timeout_us));
    deadline_.async_wait([weak = weak_from_this(), read](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || !self->reading_ || self->reads_ != read) return;
      self->timed_out_ = true;
      self->stream_.socket().cancel(ec);
    });
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->reading_ = false;
                       self->deadline_.cancel();
                       if (ec == asio::error::operation_aborted && self->timed_out_) {
                         ec = beast::error::timeout;
                       }
                       self->on_request(ec);
                     });
  }

  void on_request(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return close();
    }
    keep_alive_ = false;
    if (ec == beast::error::timeout) return fail(408, "timeout", "the request took too long");
    if (ec == http::error::body_limit)
      return fail(413, "payload_too_large", "the body is too large");
    if (ec == http::error::header_limit) {
      return fail(431, "headers_too_large", "the request headers are too large");
    }
    if (ec) return fail(400, "bad_request", "malformed request: " + ec.message());
    auto& msg = parser_->get();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    for (const auto& field : msg) {
      req->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req->body = std::move(msg.body());
    req->remote_addr = remote_;
    keep_alive_ = msg.keep_alive();
    if (server_.transport_->stopping.load()) {
      keep_alive_ = false;
      return fail(503, "unavailable", "the server is stopping");
    }
    auto res = std::make_shared<Response>();
    const Route* route = server_.find_route(*req, *res);
    if (route == nullptr) return write(std::move(*res));
    if (route->fast) {
      server_.dispatch(*route, *req, *res);
      return answer(std::move(*res));
    }
    asio::post(server_.transport_->handlers, [self = shared_from_this(), route, req, res] {
      self->server_.dispatch(*route, *req, *res);
      asio::post(self->stream_.get_executor(), [self, res] { self->answer(std::move(*res)); });
    });
  }

  void answer(Response res) {
    if (res.stream) return start_stream(std::move(res));
    write(std::move(res));
  }

  void fail(int status, std::string_view code, const std::string& message) {
    Response res;
    res.status = status;
    res.set_content(error_json(code, message), "application/json");
    keep_alive_ = false;
    write(std::move(res));
  }

  void write(Response res) {
    out_ = {};
    out_.version(11);
    out_.result(static_cast<unsigned>(res.status));
    if (!res.content_type.empty()) out_.set(http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers) out_.set(name, value);
    out_.body() = std::move(res.body);
    out_.keep_alive(keep_alive_);
    out_.prepare_payload();
    stream_.expires_after(std::chrono::microseconds(options().keep_alive_timeout_us));
    http::async_write(stream_, out_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (!self->keep_alive_) return self->linger_close();
      self->wait_for_request();
    });
  }

  // A streamed answer (server-sent events) leaves the loop: a thread of its own writes
  // the chunks with blocking writes until the stream ends, the client leaves or the
  // server stops (which shuts the socket down under it).
  void start_stream(Response res) {
    Server::Transport& t = *server_.transport_;
    stream_.expires_never();
    tcp::socket& socket = stream_.socket();
    {
      std::lock_guard lock(t.streams_mu);
      if (t.stopping.load() || t.streams >= kMaxStreams) {
        keep_alive_ = false;
        Response busy;
        busy.status = 503;
        busy.set_content(error_json("unavailable", "too many streams, or the server is stopping"),
                         "application/json");
        return write(std::move(busy));
      }
      ++t.streams;
      t.stream_fds.insert(socket.native_handle());
    }
    try {
      std::thread([self = shared_from_this(), res = std::move(res)]() mutable {
        self->stream(res);
        Server::Transport& t = *self->server_.transport_;
        std::lock_guard lock(t.streams_mu);
        --t.streams;
        self.reset();  // before stop() may go on and destroy the event loop
        t.streams_cv.notify_all();
      }).detach();
    } catch (const std::system_error&) {
      Server::Transport& tr = *server_.transport_;
      std::lock_guard lock(tr.streams_mu);
      tr.stream_fds.erase(socket.native_handle());
      --tr.streams;
      tr.streams_cv.notify_all();
      close();
    }
  }

  // The stream's own thread: the header, then chunks until the stream, the client or
  // the server ends it. A client that stops reading is dropped after the send timeout.
  void stream(Response& res) {
    tcp::socket& socket = stream_.socket();
    const int fd = socket.native_handle();
    beast::error_code ec;
    socket.non_blocking(false, ec);
    timeval send_timeout{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    http::response<http::empty_body> head{static_cast<http::status>(res.status), 11};
    head.set(http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers) head.set(name, value);
    head.chunked(true);
    http::response_serializer<http::empty_body> serializer{head};
    http::write_header(socket, serializer, ec);
    const ChunkWriter write_chunk = [&](std::string_view chunk) {
      if (!ec && !chunk.empty()) asio::write(socket, http::make_chunk(asio::buffer(chunk)), ec);
      return !ec;
    };
    while (!ec && res.stream(write_chunk)) {
    }
    if (!ec) asio::write(socket, http::make_chunk_last(), ec);
    Server::Transport& t = *server_.transport_;
    {
      std::lock_guard lock(t.streams_mu);  // not shut down by stop() once closed
      t.stream_fds.erase(fd);
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // After a last answer (413 while the client is still sending its body, 408, 400):
  // closing at once with unread bytes makes the kernel reset the connection, which can
  // destroy the answer before the client reads it. Stop sending, read and drop what
  // still arrives (at most 1 MiB, 2 s), then close.
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    drain(1 << 20);
  }

  void drain(size_t budget) {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this(), budget](beast::error_code ec, size_t n) {
                              if (ec || n >= budget) return self->close();
                              self->drain(budget - n);
                            });
  }

  beast::tcp_stream stream_;
  asio::steady_timer deadline_;  // the read timeout
  bool timed_out_ = false;
  bool reading_ = false;
  uint64_t reads_ = 0;
  std::array<char, 16 * 1024> discard_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> out_;
  Server& server_;
  std::string remote_;
  bool keep_alive_ = true;
};

namespace {

void accept_next(Server::Transport& t, Server& server);

}  // namespace

Status Server::start() {
  const int io_threads = options_.io_threads > 0
                             ? options_.io_threads
                             : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  transport_ = std::make_unique<Transport>(io_threads, std::max(1, options_.threads));
  Transport& t = *transport_;
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    tcp::resolver resolver(t.io);
    auto found = resolver.resolve(options_.host, "", ec);
    if (ec || found.empty()) {
      return make_error(Errc::kInvalidArgument, "cannot resolve host '" + options_.host + "'");
    }
    address = found.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, static_cast<uint16_t>(options_.port));
  t.acceptor.open(endpoint.protocol(), ec);
  if (!ec) t.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) t.acceptor.bind(endpoint, ec);
  // A full backlog: a gateway opening its whole pool at once loses no connection.
  if (!ec) t.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::kIo, "cannot listen on " + options_.host + ":" +
                                     std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = t.acceptor.local_endpoint().port();
  accept_next(t, *this);
  for (int i = 0; i < io_threads; ++i) {
    t.loop.push_back(spawn_quiet_thread([&t] { t.io.run(); }));
  }
  return Status::Ok();
}

namespace {

void accept_next(Server::Transport& t, Server& server) {
  t.acceptor.async_accept(asio::make_strand(t.io),
                          [&t, &server](beast::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted || !t.acceptor.is_open()) {
                              return;
                            }
                            if (ec) {
                              // Out of file descriptors, say: try again shortly rather
                              // than spin.
                              t.accept_retry.expires_after(std::chrono::milliseconds(50));
                              t.accept_retry.async_wait([&t, &server](beast::error_code e) {
                                if (!e && t.acceptor.is_open()) accept_next(t, server);
                              });
                              return;
                            }
                            socket.set_option(tcp::no_delay(true), ec);  // small answers now
                            std::make_shared<Session>(std::move(socket), server)->start();
                            accept_next(t, server);
                          });
}

}  // namespace

void Server::stop() {
  hub_.close();  // streams end at their next wake-up
  if (!transport_) return;
  Transport& t = *transport_;
  t.stopping = true;  // from now on requests are answered 503
  asio::post(t.acceptor.get_executor(), [&t] {
    beast::error_code ec;
    t.acceptor.close(ec);
    t.accept_retry.cancel();
  });
  {
    std::unique_lock lock(t.streams_mu);
    for (int fd : t.stream_fds) ::shutdown(fd, SHUT_RDWR);  // unblocks a stuck write
    t.streams_cv.wait(lock, [&t] { return t.streams == 0; });
  }
  t.handlers.join();  // requests being handled finish
  t.io.stop();
  for (std::thread& th : t.loop) th.join();
  transport_.reset();
}

}  // namespace wf::api
