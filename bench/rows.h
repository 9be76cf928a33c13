// The rows every library is measured with, written once over an `Api` so the
// libssl, vouch-ssl and native builds run the very same procedure. An Api
// provides:
//   Contexts                 per-benchmark configuration, with `error`
//   Contexts make(Setup)     build it, as a program does once at start
//   Session                  what a client resumes with (nullable)
//   Pair(Contexts, release)  one connection in memory, both ends in this thread:
//     open(meter, session), handshake(meter), free_side(meter, side),
//     check(setup, resumed), take_session(meter), transfer(data, in, ns),
//     client_subject(meter) (the server's view of the client's leaf subject)
// Every call a Pair makes on one end runs through the SideMeter, timed if
// that end is the measured one (cpu_meter.h).
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "cpu_meter.h"
#include "heap_usage.h"
#include "scenarios.h"

namespace vouch::bench {

inline void skip(benchmark::State& state, const std::string& why) { state.SkipWithError(why.c_str()); }

/// Handshakes, timing one side: per iteration, both ends made, the
/// handshake run until both would block, both freed. With `resume`, each
/// handshake resumes the session the previous one left the client with (its
/// newest ticket; the first from an untimed full handshake).
template <typename Api>
void handshakes(benchmark::State& state, Setup setup, Side side, bool resume) {
  const typename Api::Contexts ctx = Api::make(setup);
  if (!ctx.error.empty()) return skip(state, ctx.error);
  typename Api::Session session{};
  std::string err;
  if (resume) {
    SideMeter untimed(side, /*collect=*/false);
    typename Api::Pair first(ctx, true);
    err = first.open(untimed, session);
    if (err.empty()) err = first.handshake(untimed);
    if (err.empty()) err = first.check(setup, false);
    if (err.empty() && !(session = first.take_session(untimed))) err = "no session after the first handshake";
    if (!err.empty()) return skip(state, err);
  }
  for (auto _ : state) {
    SideMeter meter(side);
    typename Api::Pair p(ctx, true);
    err = p.open(meter, session);
    if (err.empty()) err = p.handshake(meter);
    // Before check(), which may make a library decode and keep the peer's
    // certificate ahead of the timed call.
    if (err.empty() && setup.server_reads_subject && p.client_subject(meter).empty())
      err = "server: no client subject";
    if (err.empty()) err = p.check(setup, resume);
    if (err.empty() && resume && !(session = p.take_session(meter))) err = "no session after resuming";
    p.free_side(meter, Side::client);
    p.free_side(meter, Side::server);
    if (!err.empty()) return skip(state, err);
    state.SetIterationTime(meter.seconds());
  }
}

/// kBulkBytes per iteration from client to server over an established
/// connection, both sides' calls timed; the bytes read are compared with
/// those written (untimed).
template <typename Api>
void bulk(benchmark::State& state, Setup setup) {
  setup.num_tickets = 0;  // nothing but application data after the handshake
  const typename Api::Contexts ctx = Api::make(setup);
  if (!ctx.error.empty()) return skip(state, ctx.error);
  typename Api::Pair p(ctx, false);  // the pipe keeps its megabyte between iterations
  SideMeter untimed(Side::client, /*collect=*/false);
  std::string err = p.open(untimed, typename Api::Session{});
  if (err.empty()) err = p.handshake(untimed);
  if (err.empty()) err = p.check(setup, false);
  if (!err.empty()) return skip(state, err);
  std::vector<unsigned char> data(kBulkBytes);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 131 + 7);
  std::vector<unsigned char> in(kBulkBytes);
  for (auto _ : state) {
    int64_t ns = 0;
    err = p.transfer(data, in, ns);
    if (err.empty() && in != data) err = "the server read other bytes than were written";
    if (!err.empty()) return skip(state, err);
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(kBulkBytes));
  state.counters["bytes_per_iteration"] = static_cast<double>(kBulkBytes);
}

/// Heap per idle connection: kIdleConnections TLS 1.3 connections made (the
/// Handshake13 setup), each run until both ends would block (the client has
/// taken in its tickets), then the other end freed. The counter is the growth
/// of the heap in use (heap_usage.h) across all of that, divided by their
/// number: what an established, idle end holds — the connection object and
/// everything it owns (for the libssl API its BIO too), libcrypto's
/// allocations for it included. The pairs (their empty pipes) are allocated
/// before the first measurement; one connection made and freed before that
/// keeps what a process allocates once out of the figure.
template <typename Api>
void idle_heap(benchmark::State& state, Side side) {
  const Setup setup;
  const typename Api::Contexts ctx = Api::make(setup);
  if (!ctx.error.empty()) return skip(state, ctx.error);
  const typename Api::Session none{};
  std::string err;
  {
    SideMeter untimed(side, /*collect=*/false);
    typename Api::Pair warm(ctx, true);
    err = warm.open(untimed, none);
    if (err.empty()) err = warm.handshake(untimed);
    if (!err.empty()) return skip(state, err);
  }
  const Side other = side == Side::client ? Side::server : Side::client;
  for (auto _ : state) {
    std::vector<std::unique_ptr<typename Api::Pair>> pairs;
    for (int i = 0; i < kIdleConnections; ++i) pairs.push_back(std::make_unique<typename Api::Pair>(ctx, true));
    SideMeter meter(side);
    const int64_t before = heap_in_use();
    for (auto& p : pairs) {
      err = p->open(meter, none);
      if (err.empty()) err = p->handshake(meter);
      if (!err.empty()) return skip(state, err);
      p->free_side(meter, other);
    }
    const int64_t grown = heap_in_use() - before;
    pairs.clear();
    state.SetIterationTime(meter.seconds());
    state.counters[kHeapCounter] = static_cast<double>(grown) / kIdleConnections;
  }
}

/// Registers every row under the names of scenarios.h.
template <typename Api>
void register_rows() {
  using benchmark::RegisterBenchmark;
  Setup tls13;
  Setup mtls13;
  mtls13.mutual = true;
  Setup tls12;
  tls12.version = Version::tls12;
  struct HandshakeRow {
    const char* name;
    Setup setup;
    bool resume;
  };
  for (const HandshakeRow& row : {HandshakeRow{kHandshake13, tls13, false}, HandshakeRow{kMtls13, mtls13, false},
                                  HandshakeRow{kResumption13, tls13, true}, HandshakeRow{kHandshake12, tls12, false}}) {
    for (const Side side : {Side::server, Side::client}) {
      const std::string name = std::string(row.name) + (side == Side::server ? "/server" : "/client");
      with_fixed_iterations(RegisterBenchmark(name.c_str(), handshakes<Api>, row.setup, side, row.resume))
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  Setup subject = mtls13;
  subject.server_reads_subject = true;
  with_fixed_iterations(
      RegisterBenchmark((std::string(kMtlsSubject13) + "/server").c_str(), handshakes<Api>, subject, Side::server, false))
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  Setup chacha;
  chacha.suite = Suite::chacha20;
  with_fixed_iterations(RegisterBenchmark(kBulkAesGcm, bulk<Api>, tls13))->UseManualTime()->Unit(benchmark::kMicrosecond);
  with_fixed_iterations(RegisterBenchmark(kBulkChacha, bulk<Api>, chacha))->UseManualTime()->Unit(benchmark::kMicrosecond);
  // One iteration is kIdleConnections connections and the figure counts
  // bytes, not time: one iteration per run.
  for (const Side side : {Side::server, Side::client}) {
    const std::string name = std::string(kIdleHeap) + (side == Side::server ? "/server" : "/client");
    RegisterBenchmark(name.c_str(), idle_heap<Api>, side)
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace vouch::bench
