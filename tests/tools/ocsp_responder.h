// A test OCSP responder (RFC 6960) serving HTTP/1.0 on 127.0.0.1: POST with
// a DER body and GET with a base64 path (Appendix A). Runs its own thread;
// tests use it in-process, vouch-test-ocsp-responder wraps it in a program.
//
// Every request's CertIDs are answered (copied into the response) as the
// current OcspBehavior says; the behaviour can be changed at any time from
// any thread. Everything is bounded: reads and writes have deadlines, a
// connection limit caps the serving threads, a "slow" answer waits at most
// kMaxOcspResponderDelay, and hung connections end at stop().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/ocsp_response_builder.h"
#include "tools/ocsp_signers.h"
#include "vouch/error.h"

namespace vouch::testing {

class OcspResponder {
 public:
  /// Connections served at once; more are closed unanswered.
  static constexpr int kMaxConnections = 32;

  /// Answers for certificates issued by `issuer`, signing with `issuer_key`
  /// (or, per behaviour, with the delegate, a minted delegate without
  /// id-kp-OCSPSigning, or an unrelated key; see OcspSigners). Handles are
  /// up-referenced. Errors: internal_error (key mismatch, minting failure).
  static Result<std::unique_ptr<OcspResponder>> create(X509* issuer, EVP_PKEY* issuer_key,
                                                       X509* delegate = nullptr,
                                                       EVP_PKEY* delegate_key = nullptr);

  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;
  /// Stops (see stop()).
  ~OcspResponder();

  /// Binds 127.0.0.1:`port` (0: a free port the system picks) and starts the
  /// server thread. In down mode the port is kept but nothing listens.
  /// Errors: internal_error (already started, bind failure).
  Status start(uint16_t port = 0);
  /// Ends every connection (hung ones too) and joins all threads. Idempotent.
  void stop();

  uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>/"
  std::string url() const;

  /// Changes the behaviour for requests read from now on. When running, a
  /// switch into or out of down mode has taken effect (the port refuses or
  /// accepts connections) when this returns. Thread-safe, but must not race
  /// with stop() or the destructor.
  void set_behavior(const OcspBehavior& b);
  OcspBehavior behavior() const;

  /// Complete HTTP requests received so far (whatever they were answered,
  /// hung requests included). Thread-safe.
  uint64_t requests() const { return requests_.load(); }
  /// The DER OCSPRequest of the last request that carried one (empty if none).
  Bytes last_request() const;

  const OcspSigners& signers() const { return signers_; }

 private:
  // Only create() makes one (it can name the Token).
  struct Token {
    explicit Token() = default;
  };

 public:
  OcspResponder(Token, OcspSigners signers);

 private:
  void run();
  void serve(int fd);
  bool open_listener();  // server thread only
  void close_listener();
  bool wait_stop_for(std::chrono::milliseconds d);  // true if stopping

  OcspSigners signers_;
  uint16_t port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  OcspBehavior behavior_;
  uint64_t generation_ = 0;          // bumped by set_behavior
  uint64_t applied_generation_ = 0;  // what the server thread has acted on
  bool stopping_ = false;
  Bytes last_request_;

  std::atomic<uint64_t> requests_{0};
  std::atomic<int> active_{0};
  std::atomic<bool> running_{false};
  bool started_ = false;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // settings changed (drained by the server thread)
  int stop_pipe_[2] = {-1, -1};  // stopping (never drained: wakes every poll)
  std::thread thread_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;  // server thread only
};

}  // namespace vouch::testing
