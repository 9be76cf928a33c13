// The OpenSSL-API benchmark: one source, built against OpenSSL 3.0's libssl
// (vouch_ssl_api_bench_libssl) and against vouch-ssl
// (vouch_ssl_api_bench_vouch); the rows are rows.h's, shared with the native
// twin (native_api_bench.cpp), the connections ssl_api_harness.cpp's.
//
// What a row's time is: the CPU time (CLOCK_THREAD_CPUTIME_ID) this thread
// spends inside the SSL_* calls of the measured side, per iteration
// (UseManualTime). For a handshake that is every call a program makes for
// one connection on that side: SSL_new and the per-connection settings
// (SSL_set_bio, SNI, SSL_set1_host, SSL_set_session), SSL_do_handshake with
// SSL_get_error until done, one SSL_read that takes in what is left (the
// client's tickets), SSL_get1_session on a resuming client, SSL_set_shutdown
// and SSL_free. The other side's calls, making the BIOs and the checks run
// untimed. Bytes reach the peer inside the sender's calls (BIO_write into the
// pipe) and leave it inside the receiver's (BIO_read), so those copies are
// counted, as with any memory BIO. Bulk rows count both sides. Nothing here
// asserts timing.
#include "rows.h"
#include "ssl_api_harness.h"

#ifndef VOUCH_BENCH_LIBRARY
#error "VOUCH_BENCH_LIBRARY names the library this build measures (libssl, vouch-ssl)"
#endif

namespace {

struct SslApi {
  using Contexts = vouch::bench::sslapi::Contexts;
  using Pair = vouch::bench::sslapi::Pair;
  using Session = vouch::bench::sslapi::SessionPtr;
  static Contexts make(const vouch::bench::Setup& setup) { return vouch::bench::sslapi::make_contexts(setup); }
};

}  // namespace

int main(int argc, char** argv) {
  vouch::bench::register_rows<SslApi>();
  return vouch::bench::run_benchmarks(argc, argv, VOUCH_BENCH_LIBRARY);
}
