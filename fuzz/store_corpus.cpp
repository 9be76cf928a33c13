// Records the seed corpora of the fleet store targets — redis_url,
// directory_store_file and ticket_keys_blob — by running the real code:
//   - redis_url: the URLs of the docs and tests, each checked with
//     parse_redis_url (accepted ones and a few it must refuse);
//   - directory_store_file: the files a directory SharedStore
//     (open_directory_store, in a temporary directory) writes for a few
//     values — with and without an expiry, empty, a lease holder, and the
//     sealed ticket keys SharedTicketKeys publishes into it;
//   - ticket_keys_blob (first byte: the mode, see the target):
//     0 and 2: the plaintext that SharedTicketKeys seals (one and two keys
//        exported by a real TicketKeys, rotated at a due and a recent time);
//     1: the sealed value SharedTicketKeys::sync() published in that
//        directory (under another wrapping key than the target's, as any
//        value the target does not seal itself).
// Randomness is the fuzz build's deterministic one; only the directory
// store's expiry times depend on when it runs.
//
//   store_corpus FUZZ_DIR
//
// Built in the fuzz build only (build-fuzz/fuzz/store_corpus). Writes only
// these three targets' directories (record_corpus writes the others).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "store/ticket_keys_record.h"
#include "vouch/redis_store.h"
#include "vouch/session.h"
#include "vouch/shared_ticket_keys.h"
#include "vouch/store.h"

namespace fs = std::filesystem;
using namespace vouch;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_corpus: %s\n", what.c_str());
  std::exit(1);
}

Bytes read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) die("cannot read " + p.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const fs::path& p, ByteView b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!out) die("cannot write " + p.string());
}

ByteView bytes_of(const std::string& s) { return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

fs::path fresh_dir(const fs::path& corpus, const char* target) {
  const fs::path d = corpus / target;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void redis_urls(const fs::path& corpus) {
  struct Url {
    const char* name;
    const char* url;
    bool accepted;
  };
  const std::vector<Url> urls = {
      {"plain", "redis://127.0.0.1:6379", true},
      {"db", "redis://127.0.0.1:6380/2", true},
      {"name", "redis://redis.internal/0", true},
      {"ipv6", "redis://[::1]:6379/1", true},
      {"password", "redis://:s3cret@127.0.0.1:6379/0", true},
      {"acl-user", "redis://vouch:p%40ss:word@10.0.0.7:7000/15", true},
      {"bare-password", "redis://hunter2@localhost", true},
      {"rediss", "rediss://127.0.0.1:6379", false},
      {"port-zero", "redis://127.0.0.1:0", false},
      {"unclosed", "redis://[::1:6379", false},
  };
  const fs::path d = fresh_dir(corpus, "redis_url");
  for (const Url& u : urls) {
    if (parse_redis_url(u.url).ok() != u.accepted) die(std::string("unexpected parse of ") + u.url);
    write_all(d / u.name, bytes_of(u.url));
  }
  std::printf("%-28s %zu inputs\n", "redis_url", urls.size());
}

Bytes with_mode(uint8_t mode, ByteView rest) {
  Bytes out{mode};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_corpus FUZZ_DIR\n");
    return 2;
  }
  const fs::path fuzz_dir(argv[1]);
  if (fs::canonical(fuzz_dir) != fs::canonical(VOUCH_FUZZ_DIR)) {
    die("FUZZ_DIR must be the fuzz/ directory this program was built from (" + std::string(VOUCH_FUZZ_DIR) + ")");
  }
  fuzzing::reset_random();
  const fs::path corpus = fuzz_dir / "corpus";
  redis_urls(corpus);

  // A directory store in a temporary directory, as a single machine uses it.
  std::string tmpl = (fs::temp_directory_path() / "vouch-store-corpus-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) die("mkdtemp");
  const fs::path store_dir(tmpl);
  auto store = open_directory_store(store_dir);
  if (!store) die(store.error().to_string());

  // SharedTicketKeys publishing into it (rotated at a fixed time).
  const int64_t published_at = 1'690'000'000'000;  // 2023-07-22
  auto keys = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  SharedTicketKeysOptions o;
  o.wrapping_key = Bytes(32, 0x77);  // not the target's key
  o.owner = "store-corpus";
  o.clock = [&] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(published_at)); };
  auto shared = SharedTicketKeys::create(*store, keys, o);
  if (!shared) die(shared.error().to_string());
  if ((*shared)->sync() != TicketKeySyncResult::rotated) die("sync did not publish: " + (*shared)->last_error());
  auto sealed = (*store)->get("ticket-keys");
  if (!sealed || !*sealed) die("nothing published");

  // More values of the kinds the store holds.
  const std::string staple_like(300, '\x30');
  const std::string note = "shared value";
  struct Put {
    const char* key;
    ByteView value;
    std::chrono::milliseconds ttl;
  };
  const std::vector<Put> puts = {
      {"ocsp:0123abcd", bytes_of(staple_like), std::chrono::hours(24)},
      {"empty", ByteView(), std::chrono::milliseconds(0)},
      {"note", bytes_of(note), std::chrono::milliseconds(0)},
  };
  for (const Put& p : puts) {
    if (!(*store)->put(p.key, p.value, p.ttl)) die(std::string("put ") + p.key);
  }
  if (!*(*store)->acquire_lease("ocsp:0123abcd", "host:4242:0a1b2c3d", std::chrono::seconds(30))) die("lease");

  const fs::path dfiles = fresh_dir(corpus, "directory_store_file");
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(store_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // the lock file
    std::string safe = name;
    for (char& c : safe) {
      if (c == ':') c = '_';
    }
    write_all(dfiles / safe, read_all(entry.path()));
    ++n;
  }
  std::printf("%-28s %zu inputs\n", "directory_store_file", n);
  fs::remove_all(store_dir);

  // The ticket keys: plaintexts (modes 0 and 2) and the sealed value (1).
  const fs::path tdir = fresh_dir(corpus, "ticket_keys_blob");
  TicketKeys one(std::chrono::seconds(0));
  auto one_key = one.export_keys();
  TicketKeys two(std::chrono::seconds(0));
  two.rotate();
  auto two_keys = two.export_keys();
  if (!one_key || !two_keys) die("export_keys");
  Bytes plain_due, plain_recent;
  encode_ticket_keys_record(published_at, *one_key, plain_due);
  encode_ticket_keys_record(1'699'990'000'000, *two_keys, plain_recent);  // shortly before the target's clock
  write_all(tdir / "plain-one-key", with_mode(0, plain_due));
  write_all(tdir / "plain-two-keys", with_mode(0, plain_recent));
  write_all(tdir / "sealed-published", with_mode(1, **sealed));
  write_all(tdir / "sync-due", with_mode(2, plain_due));
  write_all(tdir / "sync-recent", with_mode(2, plain_recent));
  std::printf("%-28s %d inputs\n", "ticket_keys_blob", 5);
  return 0;
}
