// vouch — TLS over an Asio stream, in the shape of asio::ssl::stream.
//
//   asio::io_context io;
//   vouch::asio::stream<asio::ip::tcp::socket> tls(io, client_config, "example.com");
//   co_await tls.next_layer().async_connect(endpoint, asio::use_awaitable);
//   co_await tls.async_handshake(asio::use_awaitable);
//   co_await asio::async_write(tls, asio::buffer(request), asio::use_awaitable);
//   size_t n = co_await tls.async_read_some(asio::buffer(reply), asio::use_awaitable);
//   co_await tls.async_shutdown(asio::use_awaitable);
//
// Every async_* call takes any completion token (a callback, asio::use_future,
// asio::use_awaitable, asio::deferred ...), as Asio's own operations do: they
// are composed with asio::async_compose over the sans-I/O vouch::Connection
// (vouch/connection.h), which does all of TLS; this file only moves bytes.
//
// Why standalone Asio (Debian's libasio-dev, <asio.hpp>, namespace ::asio)
// rather than Boost.Asio: it is header-only and needs nothing else — no Boost
// headers or libraries — so a user of vouch adds one small package, and
// vouch's own build depends on no Boost at all. Boost.Asio programs can use
// the same design; this header names ::asio only.
//
// Waiting for the application. When a handshake waits for an asynchronous
// hook (a client-certificate selector, an external signer, an asynchronous
// OCSP staple hook or credential source; see vouch/pending.h), the operation
// stays pending without polling: the stream installs a waker on the
// connection (Connection::set_waker) that posts a wake-up to the operation's
// executor when the application completes the handle — from any thread — and
// the operation then resumes the connection and goes on. Until then the
// operation holds the io_context's work (run() does not return). To give up
// earlier, cancel() the stream, emit cancellation on the operation's
// cancellation slot, or fail() the handle; closing the socket alone does not
// end a wait for the application. After the handshake, a client's late
// answer to a post-handshake CertificateRequest (RFC 8446 §4.6.2; the
// connection stays established meanwhile) goes out with the stream's next
// operation, not by itself.
//
// Errors: the next layer's errors are passed on unchanged (asio::error::
// connection_reset ...). TLS failures are error codes of the "vouch" category
// (vouch/error_code.h): the alert sent (0x100 | alert) or received
// (0x200 | alert); connection().error() has the reason text. A read that
// meets the peer's close_notify completes with asio::error::eof (the clean
// end); a transport EOF without it with vouch::errc::stream_truncated.
//
// Threads: like asio::ssl::stream, a stream is not thread-safe. Its
// operations and completion handlers must not run concurrently: use one
// thread per io_context, or a strand as the next layer's executor. One read
// and one write operation may be outstanding at once (full duplex, after
// the handshake); async_handshake and async_shutdown run alone. The pending
// handles themselves may be completed from any thread.
//
// The next layer. For an Asio socket (anything with async_wait, wait,
// non_blocking and read_some/write_some with error_code) the stream sets the
// socket non-blocking and waits for readability before reading, so an idle
// connection holds no receive buffer; the socket's own synchronous calls then
// report would_block instead of blocking. Any other stream (an
// AsyncReadStream + AsyncWriteStream) is read with async_read_some into a
// buffer of one TLS record.
#pragma once

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/compose.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/socket_base.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "vouch/config.h"
#include "vouch/connection.h"
#include "vouch/error_code.h"
#include "vouch/session.h"

namespace vouch::asio {

/// As asio::ssl::stream_base: which side a handshake is for.
struct stream_base {
  enum handshake_type { client, server };
};

namespace detail {

// One TLS record at most (RFC 8446 §5.2: 2^14 + 256 bytes of ciphertext, a
// 5-byte header), plus a little: what one read takes from the next layer.
inline constexpr std::size_t kReadChunk = 16 * 1024 + 512;
// How much application data one write_some encrypts (four full records).
inline constexpr std::size_t kMaxWrite = 64 * 1024;

/// Next layers the stream reads only when readable: Asio sockets.
template <class T>
concept readiness_socket = requires(T& t, std::error_code& ec) {
  t.async_wait(::asio::socket_base::wait_read, [](std::error_code) {});
  t.wait(::asio::socket_base::wait_read, ec);
  t.non_blocking(true, ec);
  t.read_some(::asio::mutable_buffer(), ec);
  t.write_some(::asio::const_buffer(), ec);
};

/// What a stream's operations share; held by shared_ptr so that a wake-up
/// posted by the connection's waker can tell whether the stream still lives.
template <class Executor>
struct core {
  using timer_type =
      ::asio::basic_waitable_timer<std::chrono::steady_clock, ::asio::wait_traits<std::chrono::steady_clock>,
                                   Executor>;

  core(Executor ex, std::unique_ptr<Connection> c) : executor(std::move(ex)), conn(std::move(c)) {}

  Executor executor;
  std::unique_ptr<Connection> conn;
  /// Ciphertext on its way to the next layer (a copy: the connection's
  /// output view would not survive a concurrent receive()).
  std::vector<uint8_t> out;
  /// The receive buffer for next layers that are not readiness sockets.
  std::vector<uint8_t> in;
  /// Operations waiting for an event (a pending handle answered, a write by
  /// another operation finished) wait on this timer; an event cancels it.
  std::optional<timer_type> event_timer;
  /// Counts events, so that a waiter can tell a wake-up from a cancellation.
  std::uint64_t events = 0;
  /// Why writing to the next layer failed; nothing is written after that
  /// (what the peer still sends can be read: its alert, say).
  std::error_code write_error;
  bool writing = false;           // an operation is writing `out` to the next layer
  bool cancel_requested = false;  // cancel(): the waiting operations give up
  bool eof = false;               // the next layer reported the end of the stream
  bool stream_gone = false;       // the stream was destroyed: operations still out abort
  bool non_blocking_set = false;

  timer_type& timer() {
    if (!event_timer) {
      event_timer.emplace(executor);
      event_timer->expires_at(timer_type::time_point::max());
    }
    return *event_timer;
  }
  /// Something changed: every waiting operation looks again.
  void notify() {
    ++events;
    if (event_timer) event_timer->cancel();
  }
};

enum class op_kind { handshake, read, write, shutdown };

}  // namespace detail

/// TLS over NextLayer (e.g. asio::ip::tcp::socket), driven by a
/// vouch::Connection. Owns both. Movable while no operation is outstanding.
template <class NextLayer>
class stream : public stream_base {
 public:
  using next_layer_type = std::remove_reference_t<NextLayer>;
  using lowest_layer_type = typename next_layer_type::lowest_layer_type;
  using executor_type = typename next_layer_type::executor_type;

  /// The next layer is constructed from `arg` (an io_context, an executor,
  /// or a socket to move in); `conn` is the TLS connection to drive (client
  /// or server). A null `conn` is a precondition violation.
  template <class Arg>
  stream(Arg&& arg, std::unique_ptr<Connection> conn)
      : next_layer_(std::forward<Arg>(arg)),
        core_(std::make_shared<core_type>(next_layer_.get_executor(), std::move(conn))) {}
  /// A client connection for `server_name` (SNI and the name checked).
  template <class Arg>
  stream(Arg&& arg, std::shared_ptr<const ClientConfig> config, std::string server_name,
         std::shared_ptr<const Session> session = nullptr)
      : stream(std::forward<Arg>(arg), Connection::client(std::move(config), std::move(server_name),
                                                          std::move(session))) {}
  /// A server connection.
  template <class Arg>
  stream(Arg&& arg, std::shared_ptr<const ServerConfig> config)
      : stream(std::forward<Arg>(arg), Connection::server(std::move(config))) {}

  stream(stream&&) noexcept = default;
  /// The stream assigned over is abandoned as by its destructor.
  stream& operator=(stream&& other) noexcept {
    if (this != &other) {
      abandon();
      next_layer_ = std::move(other.next_layer_);
      core_ = std::move(other.core_);
    }
    return *this;
  }
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  /// Operations still outstanding complete with operation_aborted (the
  /// next layer's are cancelled by its destruction; a wait for the
  /// application is ended here). The connection goes with the last of
  /// them: a handle completed afterwards wakes nobody.
  ~stream() { abandon(); }

  executor_type get_executor() noexcept { return next_layer_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_layer_; }
  const next_layer_type& next_layer() const noexcept { return next_layer_; }
  lowest_layer_type& lowest_layer() noexcept { return next_layer_.lowest_layer(); }
  const lowest_layer_type& lowest_layer() const noexcept { return next_layer_.lowest_layer(); }
  /// The TLS connection: negotiated parameters, the peer's chain, the error
  /// behind a "vouch" error_code (connection().error()->reason).
  Connection& connection() noexcept { return *core_->conn; }
  const Connection& connection() const noexcept { return *core_->conn; }

  /// Ends the operations that wait for the application (a pending handle):
  /// they complete with asio::error::operation_aborted; the connection keeps
  /// waiting (a later operation waits again). Call it on the stream's
  /// executor, like the operations. Operations on the next layer are not
  /// touched (lowest_layer().cancel() or close() does that).
  void cancel() {
    core_->cancel_requested = true;
    core_->notify();
  }

  // ---- asynchronous operations ---------------------------------------------

  /// Runs the handshake: the role is the connection's. Completes (void(error_code))
  /// once the connection is established and everything it has to send was
  /// written — for a server, its NewSessionTickets too — or with the error.
  template <class CompletionToken>
  auto async_handshake(CompletionToken&& token) {
    return ::asio::async_compose<CompletionToken, void(std::error_code)>(
        op<::asio::mutable_buffer>{core_, &next_layer_, detail::op_kind::handshake, {}}, token, next_layer_);
  }
  /// As asio::ssl::stream: `type` must match the connection's role
  /// (asio::error::invalid_argument otherwise).
  template <class CompletionToken>
  auto async_handshake(handshake_type type, CompletionToken&& token) {
    if (role_matches(type)) return async_handshake(std::forward<CompletionToken>(token));
    return ::asio::async_compose<CompletionToken, void(std::error_code)>(
        op<::asio::mutable_buffer>{core_, &next_layer_, detail::op_kind::handshake, {}, ::asio::error::invalid_argument}, token,
        next_layer_);
  }

  /// Reads application data into `buffers` (void(error_code, size_t)).
  /// Completes with what is available (at least one byte unless the buffers
  /// are empty), asio::error::eof after the peer's close_notify,
  /// vouch::errc::stream_truncated when the transport ends without it, or a
  /// TLS error. Records are decrypted straight into the first buffer when
  /// they fit.
  template <class MutableBufferSequence, class CompletionToken>
  auto async_read_some(const MutableBufferSequence& buffers, CompletionToken&& token) {
    return ::asio::async_compose<CompletionToken, void(std::error_code, std::size_t)>(
        op<MutableBufferSequence>{core_, &next_layer_, detail::op_kind::read, buffers}, token, next_layer_);
  }

  /// Encrypts up to 64 KiB of `buffers` and writes the records to the next
  /// layer; completes (void(error_code, size_t)) with the number of bytes
  /// of `buffers` consumed once they were written. Fails before the
  /// handshake completed and after shutdown.
  template <class ConstBufferSequence, class CompletionToken>
  auto async_write_some(const ConstBufferSequence& buffers, CompletionToken&& token) {
    return ::asio::async_compose<CompletionToken, void(std::error_code, std::size_t)>(
        op<ConstBufferSequence>{core_, &next_layer_, detail::op_kind::write, buffers}, token, next_layer_);
  }

  /// Sends close_notify (RFC 8446 §6.1) and waits for the peer's; completes
  /// (void(error_code)) without error once it arrived (application data
  /// still arriving meanwhile is discarded), with errc::stream_truncated if
  /// the transport ends first. Does not close the next layer.
  template <class CompletionToken>
  auto async_shutdown(CompletionToken&& token) {
    return ::asio::async_compose<CompletionToken, void(std::error_code)>(
        op<::asio::mutable_buffer>{core_, &next_layer_, detail::op_kind::shutdown, {}}, token, next_layer_);
  }

  // ---- synchronous operations (block the calling thread) --------------------
  // The same semantics as the asynchronous ones; a wait for the application
  // blocks until the handle is completed. Not to be mixed with outstanding
  // asynchronous operations.

  void handshake(std::error_code& ec) { ec = run_sync(detail::op_kind::handshake, nullptr, nullptr, nullptr); }
  void handshake(handshake_type type, std::error_code& ec) {
    if (!role_matches(type)) {
      ec = ::asio::error::invalid_argument;
      return;
    }
    handshake(ec);
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, std::error_code& ec) {
    std::size_t n = 0;
    ec = run_sync(detail::op_kind::read, &n, [&](Connection& c) { return copy_out(c, buffers); }, nullptr);
    return n;
  }
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, std::error_code& ec) {
    std::size_t n = 0;
    ec = run_sync(detail::op_kind::write, &n, nullptr, [&](Connection& c, std::size_t& used) {
      return encrypt(c, buffers, used);
    });
    return n;
  }
  void shutdown(std::error_code& ec) { ec = run_sync(detail::op_kind::shutdown, nullptr, nullptr, nullptr); }
  // Throwing variants, as Asio's (std::system_error).
  void handshake() { throw_if(sync_ec(&stream::handshake)); }
  void handshake(handshake_type type) {
    std::error_code ec;
    handshake(type, ec);
    throw_if(ec);
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    std::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    throw_if(ec);
    return n;
  }
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    std::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    throw_if(ec);
    return n;
  }
  void shutdown() { throw_if(sync_ec(&stream::shutdown)); }

 private:
  using core_type = detail::core<executor_type>;
  static constexpr bool kReadiness = detail::readiness_socket<next_layer_type>;

  void abandon() {
    if (core_) {
      core_->stream_gone = true;
      core_->notify();
    }
  }
  bool role_matches(handshake_type type) const { return connection().is_client() == (type == client); }
  static void throw_if(const std::error_code& ec) {
    if (ec) throw std::system_error(ec);
  }
  std::error_code sync_ec(void (stream::*f)(std::error_code&)) {
    std::error_code ec;
    (this->*f)(ec);
    return ec;
  }

  static std::error_code connection_error(const Connection& c) {
    if (const Error* e = c.error()) return make_error_code(*e);
    return make_error_code(Error{Alert::internal_error, "connection failed", false});
  }

  /// Copies buffered application data into `buffers`; returns the count.
  template <class MutableBufferSequence>
  static std::size_t copy_out(Connection& c, const MutableBufferSequence& buffers) {
    std::size_t total = 0;
    // Only reads copy out (the shared steps are compiled for every operation).
    if constexpr (::asio::is_mutable_buffer_sequence<MutableBufferSequence>::value) {
      for (auto it = ::asio::buffer_sequence_begin(buffers); it != ::asio::buffer_sequence_end(buffers); ++it) {
        ::asio::mutable_buffer b(*it);
        if (b.size() == 0) continue;
        const std::size_t n = c.read(std::span<uint8_t>(static_cast<uint8_t*>(b.data()), b.size()));
        total += n;
        if (n < b.size()) break;
      }
    }
    return total;
  }

  /// Encrypts up to kMaxWrite bytes of `buffers`; `used` says how many.
  template <class ConstBufferSequence>
  static Status encrypt(Connection& c, const ConstBufferSequence& buffers, std::size_t& used) {
    used = 0;
    for (auto it = ::asio::buffer_sequence_begin(buffers); it != ::asio::buffer_sequence_end(buffers); ++it) {
      ::asio::const_buffer b(*it);
      const std::size_t n = std::min(b.size(), detail::kMaxWrite - used);
      if (n == 0) continue;
      VOUCH_TRY(c.write(ByteView(static_cast<const uint8_t*>(b.data()), n)));
      used += n;
      if (used == detail::kMaxWrite) break;
    }
    return {};
  }

  template <class Buffers>
  static std::size_t total_size(const Buffers& buffers) {
    return ::asio::buffer_size(buffers);
  }

  /// The next step of an operation, whatever its kind: what it waits for.
  enum class next { done, write, read, wait_event };

  /// Decides what operation `kind` needs now. `fresh` is where a write
  /// records what it consumed; `result` receives the completion.
  template <class Buffers>
  static next decide(core_type& c, detail::op_kind kind, const Buffers& buffers, bool& started,
                     std::size_t& written, std::error_code& result, std::size_t& result_n) {
    Connection& conn = *c.conn;
    const bool output = !conn.pending_output().empty();
    const bool broken = static_cast<bool>(c.write_error);
    if (conn.failed()) {
      // The alert goes out (best effort) before the error is reported.
      if (output && !c.writing && !broken) return next::write;
      result = connection_error(conn);
      return next::done;
    }
    // What has to leave before the operation completes, and cannot.
    if (output && broken && kind != detail::op_kind::read) {
      result = c.write_error;
      return next::done;
    }
    switch (kind) {
      case detail::op_kind::handshake:
        if (!started) {
          started = true;
          (void)conn.start();  // a failure shows in conn.failed()
          return decide(c, kind, buffers, started, written, result, result_n);
        }
        if (output) return c.writing ? next::wait_event : next::write;
        if (conn.handshake_complete() && !conn.renegotiating()) return next::done;
        break;
      case detail::op_kind::read:
        if (total_size(buffers) == 0) return next::done;
        if (conn.pending_application_data() > 0) {
          result_n = copy_out(conn, buffers);
          return next::done;
        }
        if (conn.peer_closed()) {
          result = ::asio::error::eof;
          return next::done;
        }
        if (output && !c.writing && !broken) return next::write;
        break;
      case detail::op_kind::write:
        if (!started) {
          started = true;
          if (!conn.handshake_complete()) {
            result = ::asio::error::not_connected;
            return next::done;
          }
          if (Status st = encrypt(conn, buffers, written); !st) {
            if (conn.failed()) return decide(c, kind, buffers, started, written, result, result_n);
            // Not failed: the connection was closed for writing (shutdown).
            result = ::asio::error::shut_down;
            return next::done;
          }
          return decide(c, kind, buffers, started, written, result, result_n);
        }
        // Complete once our records left: ours, or an earlier write still
        // in flight that they queue behind.
        if (output) return c.writing ? next::wait_event : next::write;
        if (c.writing) return next::wait_event;
        result_n = written;
        return next::done;
      case detail::op_kind::shutdown:
        if (!started) {
          started = true;
          (void)conn.close();  // closing twice is harmless; a failure shows in conn.failed()
          return decide(c, kind, buffers, started, written, result, result_n);
        }
        if (output) return c.writing ? next::wait_event : next::write;
        if (c.writing) return next::wait_event;
        if (conn.peer_closed()) return next::done;
        // Application data still arriving is dropped.
        while (conn.pending_application_data() > 0) {
          std::array<uint8_t, 4096> scratch;
          (void)conn.read(scratch);
        }
        break;
    }
    // Needs the peer or the application.
    if (waits_for_application(conn.wait()) && (!conn.handshake_complete() || conn.renegotiating()))
      return next::wait_event;
    if (c.eof) {
      result = make_error_code(errc::stream_truncated);
      return next::done;
    }
    return next::read;
  }

  /// Feeds bytes read from the next layer; for a read, straight into the
  /// first buffer when records fit. Returns application bytes placed there.
  template <class Buffers>
  static std::size_t feed(core_type& c, detail::op_kind kind, const Buffers& buffers, ByteView data) {
    Connection& conn = *c.conn;
    if constexpr (::asio::is_mutable_buffer_sequence<Buffers>::value) {
      if (kind != detail::op_kind::read || !conn.handshake_complete()) {
        (void)conn.receive(data);
        return 0;
      }
      ::asio::mutable_buffer first(*::asio::buffer_sequence_begin(buffers));
      if (first.size() > 0) {
        std::size_t n = 0;
        (void)conn.receive(data, std::span<uint8_t>(static_cast<uint8_t*>(first.data()), first.size()), n);
        return n;
      }
    }
    (void)conn.receive(data);
    return 0;
  }

  /// Takes the connection's output into `out` for writing.
  static void take_output(core_type& c) {
    const ByteView v = c.conn->pending_output();
    c.out.assign(v.begin(), v.end());
    c.conn->consume_output(v.size());
    c.writing = true;
  }
  /// After a write: keep a modest buffer for the next one, not a large one.
  static void release_out(core_type& c) {
    c.writing = false;
    if (c.out.capacity() > 2 * detail::kReadChunk) {
      std::vector<uint8_t>().swap(c.out);
    } else {
      c.out.clear();
    }
  }

  // ---- the composed operation -------------------------------------------------

  template <class Buffers>
  struct op {
    /// Shared with the stream: a stream destroyed meanwhile leaves the
    /// operation something to complete with (stream_gone).
    std::shared_ptr<core_type> core;
    /// Used only to start I/O, never after the stream is gone.
    next_layer_type* next_layer;
    detail::op_kind kind;
    Buffers buffers;
    std::error_code preset{};  // fails at once with this (a wrong handshake_type)

    enum class state : uint8_t { start, wrote, readable, read, event, posted } st = state::start;
    bool on_executor = false;   // past the initiating call
    bool started = false;       // the first step ran (start(), write(), close())
    std::size_t written = 0;    // write: bytes of `buffers` consumed
    std::uint64_t seen_events = 0;
    std::error_code result{};
    std::size_t result_n = 0;
    bool finished = false;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0) {
      core_type& c = *core;
      Connection& conn = *c.conn;
      const state was = st;
      if (was != state::start) on_executor = true;
      if (c.stream_gone && !finished) return finish(self, ::asio::error::operation_aborted, 0);
      switch (was) {
        case state::start:
          if (preset) return finish(self, preset, 0);
          break;
        case state::posted:
          if (finished) return complete(self);
          break;
        case state::wrote:
          release_out(c);
          c.notify();  // operations queued behind this write look again
          if (ec) {
            c.write_error = ec;  // nothing more is written
            if (!conn.failed()) return finish(self, ec, 0);
          }
          break;
        case state::readable:
          if (ec) return finish(self, ec, 0);
          if (read_ready(self)) return;
          break;
        case state::read:
          if (ec == ::asio::error::eof) {
            c.eof = true;
          } else if (ec) {
            return finish(self, ec, 0);
          } else if (std::size_t got = feed(c, kind, buffers, ByteView(c.in.data(), n)); got > 0) {
            return finish(self, {}, got);
          }
          break;
        case state::event:
          if (c.cancel_requested) {
            c.cancel_requested = false;
            return finish(self, ::asio::error::operation_aborted, 0);
          }
          if (ec == ::asio::error::operation_aborted && c.events == seen_events)
            return finish(self, ::asio::error::operation_aborted, 0);  // the operation's own cancellation
          if (waits_for_application(conn.wait())) (void)conn.resume();
          break;
      }
      step(self);
    }

    template <class Self>
    void step(Self& self) {
      core_type& c = *core;
      // Each turn starts an asynchronous action or completes, or else made
      // progress: read bytes from the socket (until it has none, or EOF)
      // or saw a pending handle answered. The bound only catches a bug.
      for (int turn = 0; turn < 100000; ++turn) {
        result = {};
        result_n = 0;
        switch (decide(c, kind, buffers, started, written, result, result_n)) {
          case next::done: return finish(self, result, result_n);
          case next::write:
            take_output(c);
            st = state::wrote;
            ::asio::async_write(*next_layer, ::asio::buffer(c.out), std::move(self));
            return;
          case next::read:
            if constexpr (kReadiness) {
              if (read_ready(self)) return;
              continue;
            } else {
              if (c.in.size() < detail::kReadChunk) c.in.resize(detail::kReadChunk);
              st = state::read;
              next_layer->async_read_some(::asio::buffer(c.in), std::move(self));
              return;
            }
          case next::wait_event:
            if (!on_executor) {
              // Still inside the initiating call, perhaps on another thread
              // than the executor's: wait from the executor, where wake-ups
              // are delivered.
              st = state::posted;
              ::asio::post(std::move(self));
              return;
            }
            if (waits_for_application(c.conn->wait()) && install_waker(self)) continue;
            seen_events = c.events;
            st = state::event;
            c.timer().async_wait(std::move(self));
            return;
        }
      }
      finish(self, make_error_code(Error{Alert::internal_error, "the stream made no progress", false}), 0);
    }

    /// Readiness sockets: reads what is there without blocking. Returns
    /// true if the operation moved on (completed or waits for
    /// readability); false to decide again.
    template <class Self>
    bool read_ready(Self& self) {
      if constexpr (kReadiness) {
        core_type& c = *core;
        std::error_code ec;
        if (!c.non_blocking_set) {
          next_layer->non_blocking(true, ec);
          if (ec) {
            finish(self, ec, 0);
            return true;
          }
          c.non_blocking_set = true;
        }
        std::array<uint8_t, detail::kReadChunk> buf;
        const std::size_t n = next_layer->read_some(::asio::buffer(buf), ec);
        if (ec == ::asio::error::would_block || ec == ::asio::error::try_again) {
          st = state::readable;
          next_layer->async_wait(::asio::socket_base::wait_read, std::move(self));
          return true;
        }
        if (ec == ::asio::error::eof) {
          c.eof = true;
          return false;
        }
        if (ec) {
          finish(self, ec, 0);
          return true;
        }
        if (const std::size_t got = feed(c, kind, buffers, ByteView(buf.data(), n)); got > 0) {
          finish(self, {}, got);
          return true;
        }
        return false;
      } else {
        (void)self;
        return false;
      }
    }

    /// Points the connection's waker at this operation's executor (where
    /// its steps run). Returns true if the answer may have arrived before
    /// the waker was in place: the caller resumes and decides again.
    template <class Self>
    bool install_waker(Self& self) {
      core_type& c = *core;
      auto ex = ::asio::get_associated_executor(self, c.executor);
      std::weak_ptr<core_type> weak = core;
      c.conn->set_waker([weak, ex] {
        ::asio::post(ex, [weak] {
          if (auto alive = weak.lock()) alive->notify();
        });
      });
      // An answer given before the waker was set woke nobody: look now.
      const Status r = c.conn->resume();
      (void)r;  // a failure shows in conn.failed(), which decide() reports
      return !waits_for_application(c.conn->wait());
    }

    template <class Self>
    void finish(Self& self, std::error_code ec, std::size_t n) {
      result = ec;
      result_n = n;
      finished = true;
      if (!on_executor) {
        // Never complete inside the initiating call (Asio's rule): post.
        st = state::posted;
        ::asio::post(std::move(self));
        return;
      }
      complete(self);
    }

    /// void(error_code, size_t) for reads and writes, void(error_code)
    /// for the handshake and shutdown.
    template <class Self>
    void complete(Self& self) {
      if constexpr (requires { self.complete(result, result_n); }) {
        self.complete(result, result_n);
      } else {
        self.complete(result);
      }
    }
  };

  // ---- synchronous driving ----------------------------------------------------

  /// Blocks on the next layer until `kind` is done. `n`: bytes read or
  /// consumed. `read_out` copies application data; `write_in` encrypts.
  template <class ReadOut, class WriteIn>
  std::error_code run_sync(detail::op_kind kind, std::size_t* n, ReadOut&& read_out, WriteIn&& write_in) {
    core_type& c = *core_;
    Connection& conn = *c.conn;
    bool started = false;
    // A waker for waits on the application: a condition variable.
    struct Signal {
      std::mutex mu;
      std::condition_variable cv;
      bool woken = false;
    };
    auto signal = std::make_shared<Signal>();
    bool waker_set = false;
    // Bounded by progress: every turn blocks for the peer or the application.
    for (;;) {
      const bool output = !conn.pending_output().empty();
      if (conn.failed()) {
        if (output && !c.write_error) (void)sync_flush();
        if (waker_set) conn.set_waker(nullptr);
        return connection_error(conn);
      }
      if (!started) {
        started = true;
        if (kind == detail::op_kind::handshake) (void)conn.start();
        if (kind == detail::op_kind::shutdown) (void)conn.close();
        if constexpr (!std::is_same_v<std::decay_t<WriteIn>, std::nullptr_t>) {
          if (!conn.handshake_complete()) return ::asio::error::not_connected;
          Status st = write_in(conn, *n);
          if (!st) {
            if (conn.failed()) continue;
            return ::asio::error::shut_down;
          }
        }
        continue;
      }
      if (output && c.write_error && kind != detail::op_kind::read) {
        if (waker_set) conn.set_waker(nullptr);
        return c.write_error;
      }
      if (output && !c.write_error) {
        if (std::error_code ec = sync_flush()) {
          c.write_error = ec;
          if (conn.failed()) continue;
          if (waker_set) conn.set_waker(nullptr);
          return ec;
        }
        continue;
      }
      bool done = false;
      switch (kind) {
        case detail::op_kind::handshake: done = conn.handshake_complete() && !conn.renegotiating(); break;
        case detail::op_kind::write: done = true; break;
        case detail::op_kind::read:
          if constexpr (!std::is_same_v<std::decay_t<ReadOut>, std::nullptr_t>) {
            if (conn.pending_application_data() > 0) {
              *n = read_out(conn);
              done = true;
            } else if (conn.peer_closed()) {
              return ::asio::error::eof;
            }
          }
          break;
        case detail::op_kind::shutdown:
          done = conn.peer_closed();
          while (conn.pending_application_data() > 0) {
            std::array<uint8_t, 4096> scratch;
            (void)conn.read(scratch);
          }
          break;
      }
      if (done) {
        if (waker_set) conn.set_waker(nullptr);
        return {};
      }
      if (waits_for_application(conn.wait()) && (!conn.handshake_complete() || conn.renegotiating())) {
        if (!waker_set) {
          conn.set_waker([signal] {
            std::lock_guard<std::mutex> lock(signal->mu);
            signal->woken = true;
            signal->cv.notify_all();
          });
          waker_set = true;
          (void)conn.resume();  // an answer that came before the waker
          continue;
        }
        std::unique_lock<std::mutex> lock(signal->mu);
        signal->cv.wait(lock, [&] { return signal->woken; });
        signal->woken = false;
        lock.unlock();
        (void)conn.resume();
        continue;
      }
      if (c.eof) {
        if (waker_set) conn.set_waker(nullptr);
        return make_error_code(errc::stream_truncated);
      }
      std::array<uint8_t, detail::kReadChunk> buf;
      std::error_code ec;
      const std::size_t got = sync_read(buf.data(), buf.size(), ec);
      if (ec == ::asio::error::eof) {
        c.eof = true;
        continue;
      }
      if (ec) {
        if (waker_set) conn.set_waker(nullptr);
        return ec;
      }
      (void)conn.receive(ByteView(buf.data(), got));
    }
  }

  std::size_t sync_read(uint8_t* data, std::size_t size, std::error_code& ec) {
    for (;;) {
      const std::size_t n = next_layer_.read_some(::asio::buffer(data, size), ec);
      if constexpr (kReadiness) {
        if (ec == ::asio::error::would_block || ec == ::asio::error::try_again) {
          next_layer_.wait(::asio::socket_base::wait_read, ec);
          if (ec) return 0;
          continue;
        }
      }
      return n;
    }
  }

  std::error_code sync_flush() {
    Connection& conn = *core_->conn;
    std::error_code ec;
    while (!conn.pending_output().empty()) {
      const ByteView v = conn.pending_output();
      const std::size_t n = next_layer_.write_some(::asio::buffer(v.data(), v.size()), ec);
      if constexpr (kReadiness) {
        if (ec == ::asio::error::would_block || ec == ::asio::error::try_again) {
          next_layer_.wait(::asio::socket_base::wait_write, ec);
          if (ec) return ec;
          continue;
        }
      }
      if (ec) return ec;
      conn.consume_output(n);
    }
    return {};
  }

  next_layer_type next_layer_;
  std::shared_ptr<core_type> core_;
};

}  // namespace vouch::asio
