// The test PKI stored once per build and shared by the test processes
// (tests/support/pki.h): loading, the completion marker, regeneration of
// damaged or stale stores, and the flock(2) protocol between processes.
#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <stdexcept>

#include "support/pki.h"

namespace vouch::testing {
namespace {

namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every certificate of a family, with its file stem.
std::vector<std::pair<std::string, const PkiCert*>> certs_of(const PkiFamily& f) {
  return {{"root", &f.root},
          {"intermediate", &f.intermediate},
          {"server", &f.server},
          {"server-expired", &f.server_expired},
          {"server-wrong-host", &f.server_wrong_host},
          {"client", &f.client},
          {"client-noauth", &f.client_noauth},
          {"server-p384", &f.server_p384},
          {"server-p521", &f.server_p521},
          {"server-ed25519", &f.server_ed25519},
          {"server-rsa-pss", &f.server_rsa_pss},
          {"client-p384", &f.client_p384},
          {"client-p521", &f.client_p521},
          {"client-ed25519", &f.client_ed25519},
          {"client-rsa-pss", &f.client_rsa_pss},
          {"untrusted-root", &f.untrusted_root},
          {"untrusted-server", &f.untrusted_server}};
}

// The DER of every certificate and the PEM of every key, in a fixed order:
// equal for two loads of the same store, different after a regeneration.
std::vector<std::string> fingerprint(const Pki& pki) {
  std::vector<std::string> out;
  for (const PkiFamily* f : {&pki.ecdsa(), &pki.rsa()}) {
    for (const auto& [name, c] : certs_of(*f)) {
      out.emplace_back(c->der.begin(), c->der.end());
      out.push_back(c->key_pem);
    }
  }
  return out;
}

// A private directory; the store goes in <it>/pki, so its lock file and any
// generator leftovers are removed with it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vouch-pki-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string pki() const { return path_ + "/pki"; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A copy of the shared store, so that loading it needs no key generation.
void copy_shared_to(const std::string& dir) {
  fs::copy(test_pki().dir, dir, fs::copy_options::recursive);
}

// Holds flock(2) on a lock file as another process would.
class HeldLock {
 public:
  HeldLock(const std::string& path, int op) : fd_(::open(path.c_str(), O_RDWR | O_CREAT, 0644)) {
    if (fd_ < 0 || ::flock(fd_, op | LOCK_NB) != 0) throw std::runtime_error("cannot lock " + path);
  }
  ~HeldLock() { ::close(fd_); }
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

 private:
  int fd_;
};

TEST(SharedPki, SharedStoreMatchesItsFiles) {
  const Pki& pki = test_pki();
  EXPECT_EQ(pki.dir, fs::absolute(default_pki_dir()).lexically_normal().string());
  for (const PkiFamily* f : {&pki.ecdsa(), &pki.rsa()}) {
    EXPECT_EQ(f->dir, pki.dir + "/" + f->name);
    for (const auto& [name, c] : certs_of(*f)) {
      SCOPED_TRACE(f->name + "/" + name);
      EXPECT_EQ(c->cert_path, f->dir + "/" + name + ".pem");
      EXPECT_EQ(c->key_path, f->dir + "/" + name + "-key.pem");
      EXPECT_EQ(X509_check_private_key(c->cert.get(), c->key.get()), 1);
      EXPECT_EQ(read(c->cert_path), c->cert_pem);
      EXPECT_EQ(read(c->key_path), c->key_pem);
      unsigned char* der = nullptr;
      const int len = i2d_X509(c->cert.get(), &der);
      ASSERT_GT(len, 0);
      EXPECT_EQ(Bytes(der, der + len), c->der);
      OPENSSL_free(der);
    }
    EXPECT_EQ(read(f->server.chain_path), f->server.cert_pem + f->intermediate.cert_pem);
    EXPECT_EQ(read(f->untrusted_server.chain_path), f->untrusted_server.cert_pem);
    EXPECT_EQ(f->root.chain_path, f->root.cert_path);
    // Variants reuse the key of the certificate they vary.
    EXPECT_EQ(f->server_expired.key_pem, f->server.key_pem);
    EXPECT_EQ(f->client_noauth.key_pem, f->client.key_pem);
  }
  EXPECT_EQ(read(pki.all_roots_path()), pki.ecdsa().root.cert_pem + pki.rsa().root.cert_pem);

  const auto manifest = parse_pki_manifest(read(pki.dir + "/" + kPkiManifestName));
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->version, kPkiGeneratorVersion);
  EXPECT_EQ(manifest->files, expected_pki_files());
  for (const std::string& f : manifest->files) EXPECT_TRUE(fs::is_regular_file(pki.dir + "/" + f)) << f;
}

TEST(SharedPki, DefaultDirFollowsTheEnvironment) {
  const char* saved = std::getenv("VOUCH_TEST_PKI_DIR");
  const std::string saved_value = saved ? saved : "";
  ASSERT_EQ(setenv("VOUCH_TEST_PKI_DIR", "/somewhere/pki", 1), 0);
  EXPECT_EQ(default_pki_dir(), "/somewhere/pki");
  ASSERT_EQ(setenv("VOUCH_TEST_PKI_DIR", "", 1), 0);
  EXPECT_EQ(default_pki_dir(), VOUCH_BINARY_DIR "/test-pki");
  ASSERT_EQ(unsetenv("VOUCH_TEST_PKI_DIR"), 0);
  EXPECT_EQ(default_pki_dir(), VOUCH_BINARY_DIR "/test-pki");
  if (saved) setenv("VOUCH_TEST_PKI_DIR", saved_value.c_str(), 1);
}

TEST(SharedPki, GeneratesOnceThenLoadsTheSameFiles) {
  TempDir tmp;
  // What a crashed generator leaves behind is swept when generating.
  fs::create_directories(tmp.pki() + ".tmp-AbC123/ecdsa");
  fs::create_directories(tmp.pki() + ".old-XyZ789");
  fs::create_directories(tmp.pki() + "-unrelated");

  const auto first = load_or_create_pki(tmp.pki());
  EXPECT_EQ(first->dir, tmp.pki());
  EXPECT_TRUE(fs::is_regular_file(tmp.pki() + "/" + kPkiManifestName));
  EXPECT_TRUE(fs::is_regular_file(tmp.pki() + ".lock"));
  EXPECT_FALSE(fs::exists(tmp.pki() + ".tmp-AbC123"));
  EXPECT_FALSE(fs::exists(tmp.pki() + ".old-XyZ789"));
  EXPECT_TRUE(fs::exists(tmp.pki() + "-unrelated"));

  // A second load while the first is alive (both hold the lock shared).
  const auto second = load_or_create_pki(tmp.pki() + "/");
  EXPECT_EQ(second->dir, tmp.pki());
  EXPECT_EQ(fingerprint(*first), fingerprint(*second));
  EXPECT_NE(fingerprint(*first), fingerprint(test_pki()));
  for (const auto& [name, c] : certs_of(second->rsa())) {
    EXPECT_EQ(X509_check_private_key(c->cert.get(), c->key.get()), 1) << name;
  }
}

TEST(SharedPki, LoadsACompleteStoreWithoutRegenerating) {
  TempDir tmp;
  copy_shared_to(tmp.pki());
  const auto pki = load_or_create_pki(tmp.pki());
  EXPECT_EQ(fingerprint(*pki), fingerprint(test_pki()));
  EXPECT_EQ(pki->ecdsa().server.cert_path, tmp.pki() + "/ecdsa/server.pem");
  EXPECT_EQ(pki->all_roots_path(), tmp.pki() + "/roots.pem");
}

// One way a stored PKI can be unusable, and what stored_pki_problem() must
// say about it.
struct Damage {
  const char* name;
  std::function<void(const std::string& dir)> apply;
  const char* problem;  // a part of the reason
};

void PrintTo(const Damage& d, std::ostream* os) { *os << d.name; }

void edit_manifest(const std::string& dir, const std::function<void(PkiManifest&)>& edit) {
  const std::string path = dir + "/" + kPkiManifestName;
  auto m = parse_pki_manifest(read(path));
  ASSERT_TRUE(m.has_value());
  edit(*m);
  write_file(path, format_pki_manifest(*m));
}

const Damage kDamages[] = {
    {"NoManifest", [](const std::string& d) { fs::remove(d + "/" + kPkiManifestName); }, "no manifest"},
    {"TruncatedManifest",
     [](const std::string& d) {
       const std::string path = d + "/" + kPkiManifestName;
       const std::string text = read(path);
       write_file(path, text.substr(0, text.size() - 4));  // "end\n" cut off
     },
     "malformed manifest"},
    {"OtherGeneratorVersion",
     [](const std::string& d) {
       edit_manifest(d, [](PkiManifest& m) { m.version = kPkiGeneratorVersion + 1; });
     },
     "generator version"},
    {"TwoDaysOld",
     [](const std::string& d) {
       edit_manifest(d, [](PkiManifest& m) { m.created = unix_now() - 2 * 86400; });
     },
     "s ago, max 86400"},
    {"MadeInTheFuture",
     [](const std::string& d) {
       edit_manifest(d, [](PkiManifest& m) { m.created = unix_now() + 3600; });
     },
     "made -"},
    {"ManifestListsOtherFiles",
     [](const std::string& d) { edit_manifest(d, [](PkiManifest& m) { m.files.pop_back(); }); },
     "manifest lists other files"},
    {"FamilyDirMissing", [](const std::string& d) { fs::remove_all(d + "/rsa"); }, "cannot read"},
    {"KeyOfAnotherCertificate",
     [](const std::string& d) {
       fs::copy_file(d + "/ecdsa/client-key.pem", d + "/ecdsa/server-key.pem",
                     fs::copy_options::overwrite_existing);
     },
     "server-key.pem is not the key of"},
    {"GarbageCertificate",
     [](const std::string& d) {
       write_file(d + "/rsa/intermediate.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");
     },
     "intermediate.pem holds no certificate"},
    {"GarbageKey", [](const std::string& d) { write_file(d + "/rsa/client-key.pem", ""); },
     "client-key.pem holds no private key"},
    {"TwoCertificatesInOneFile",
     [](const std::string& d) {
       write_file(d + "/ecdsa/client.pem", read(d + "/ecdsa/client.pem") + read(d + "/ecdsa/root.pem"));
     },
     "client.pem holds more than the certificate"},
    {"ChainWithoutIntermediate",
     [](const std::string& d) { write_file(d + "/rsa/server-chain.pem", read(d + "/rsa/server.pem")); },
     "server-chain.pem is not the expected chain"},
    {"RootsFileWithOneRoot",
     [](const std::string& d) { write_file(d + "/roots.pem", read(d + "/ecdsa/root.pem")); },
     "roots.pem does not hold the two roots"},
};

class DamagedStore : public ::testing::TestWithParam<Damage> {};

TEST_P(DamagedStore, IsNotLoaded) {
  TempDir tmp;
  copy_shared_to(tmp.pki());
  ASSERT_EQ(stored_pki_problem(tmp.pki()), "");
  GetParam().apply(tmp.pki());
  const std::string problem = stored_pki_problem(tmp.pki());
  EXPECT_NE(problem.find(GetParam().problem), std::string::npos) << problem;
}

INSTANTIATE_TEST_SUITE_P(SharedPki, DamagedStore, ::testing::ValuesIn(kDamages),
                         [](const auto& p) { return std::string(p.param.name); });

// What stored_pki_problem() refuses, load_or_create_pki() regenerates: once
// for a damaged manifest, once for a damaged file.
TEST(SharedPki, DamagedStoreIsRegenerated) {
  for (const char* name : {"NoManifest", "KeyOfAnotherCertificate"}) {
    SCOPED_TRACE(name);
    const Damage& damage = *std::find_if(std::begin(kDamages), std::end(kDamages),
                                         [&](const Damage& d) { return std::string(d.name) == name; });
    TempDir tmp;
    copy_shared_to(tmp.pki());
    damage.apply(tmp.pki());
    const int64_t before = unix_now();

    const auto pki = load_or_create_pki(tmp.pki());
    EXPECT_NE(pki->ecdsa().root.der, test_pki().ecdsa().root.der);
    EXPECT_NE(pki->rsa().root.der, test_pki().rsa().root.der);
    EXPECT_EQ(stored_pki_problem(tmp.pki()), "");
    const auto manifest = parse_pki_manifest(read(tmp.pki() + "/" + kPkiManifestName));
    ASSERT_TRUE(manifest.has_value());
    EXPECT_GE(manifest->created, before);
    // The new store is whole: loading it again changes nothing.
    EXPECT_EQ(fingerprint(*load_or_create_pki(tmp.pki())), fingerprint(*pki));
  }
}

TEST(SharedPki, MaxAgeZeroAlwaysRegenerates) {
  TempDir tmp;
  copy_shared_to(tmp.pki());
  PkiStoreOptions options;
  options.max_age = std::chrono::seconds(0);
  const auto pki = load_or_create_pki(tmp.pki(), options);
  EXPECT_NE(fingerprint(*pki), fingerprint(test_pki()));
}

TEST(SharedPki, GivesUpWhenTheLockIsNotHadInTime) {
  TempDir tmp;
  PkiStoreOptions options;
  options.lock_timeout = std::chrono::milliseconds(50);
  {
    // Another process generating: not even a complete store may be read.
    copy_shared_to(tmp.pki());
    HeldLock generator(tmp.pki() + ".lock", LOCK_EX);
    try {
      load_or_create_pki(tmp.pki(), options);
      ADD_FAILURE() << "loaded under another process's exclusive lock";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(tmp.pki() + ".lock after 50 ms"), std::string::npos)
          << e.what();
    }
  }
  {
    // Another process using the store: loading it is fine...
    HeldLock user(tmp.pki() + ".lock", LOCK_SH);
    EXPECT_EQ(fingerprint(*load_or_create_pki(tmp.pki(), options)), fingerprint(test_pki()));
    // ...but replacing its files is not, so a stale store waits for the lock.
    options.max_age = std::chrono::seconds(0);
    EXPECT_THROW(load_or_create_pki(tmp.pki(), options), std::runtime_error);
  }
  // Left as it was.
  EXPECT_EQ(fingerprint(*load_or_create_pki(tmp.pki())), fingerprint(test_pki()));
}

TEST(SharedPki, ConcurrentProcessesShareOneGeneration) {
  TempDir tmp;
  constexpr int kChildren = 3;
  std::vector<pid_t> pids;
  for (int i = 0; i < kChildren; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child reports what it loaded in a file and leaves without running
      // the parent's exit handlers.
      int rc = 0;
      try {
        const auto pki = load_or_create_pki(tmp.pki());
        std::string out;
        for (const std::string& s : fingerprint(*pki)) out += s;
        write_file(tmp.path() + "/child-" + std::to_string(i), out);
      } catch (...) {
        rc = 1;
      }
      _exit(rc);
    }
    pids.push_back(pid);
  }
  for (const pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const auto pki = load_or_create_pki(tmp.pki());
  std::string mine;
  for (const std::string& s : fingerprint(*pki)) mine += s;
  for (int i = 0; i < kChildren; ++i) {
    EXPECT_EQ(read(tmp.path() + "/child-" + std::to_string(i)), mine) << "child " << i;
  }
}

TEST(SharedPkiManifest, RoundTrips) {
  PkiManifest m;
  m.version = 7;
  m.created = 1700000000;
  m.files = {"roots.pem", "ecdsa/root.pem"};
  const std::string text = format_pki_manifest(m);
  EXPECT_EQ(text,
            "vouch test PKI\nversion 7\ncreated 1700000000\n"
            "file roots.pem\nfile ecdsa/root.pem\nend\n");
  EXPECT_EQ(parse_pki_manifest(text), m);

  m.files.clear();
  EXPECT_EQ(parse_pki_manifest(format_pki_manifest(m)), m);
}

TEST(SharedPkiManifest, RejectsMalformedText) {
  const std::string head = "vouch test PKI\nversion 1\ncreated 5\n";
  const char* bad[] = {
      "",
      "end\n",
      "vouch test PKI\nversion 1\ncreated 5\n",                   // no end
      "vouch test PKI\nversion 1\ncreated 5\nend",                 // no final newline
      "vouch test PKI\nversion 1\ncreated 5\nfile a.pem\nen",      // cut mid-line
      "vouch test PKI\nversion 1\ncreated 5\nend\nfile a.pem\n",   // after end
      "vouch test PKI\nversion 1\ncreated 5\nend\nend\n",          // two ends
      "vouch test pki\nversion 1\ncreated 5\nend\n",               // header
      "vouch test PKI\ncreated 5\nversion 1\nend\n",               // order
      "vouch test PKI\nversion\ncreated 5\nend\n",
      "vouch test PKI\nversion x\ncreated 5\nend\n",
      "vouch test PKI\nversion -1\ncreated 5\nend\n",
      "vouch test PKI\nversion +1\ncreated 5\nend\n",
      "vouch test PKI\nversion 1x\ncreated 5\nend\n",
      "vouch test PKI\nversion  1\ncreated 5\nend\n",
      "vouch test PKI\nversion 4294967296\ncreated 5\nend\n",
      "vouch test PKI\nversion 1\ncreated 99999999999999999999\nend\n",
      "vouch test PKI\nversion 1\ncreated \nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile \nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfiles a.pem\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile /etc/passwd\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile ../x.pem\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile a/../../x.pem\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile ./a.pem\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile a//b.pem\nend\n",
      "vouch test PKI\nversion 1\ncreated 5\nfile ecdsa/\nend\n",
      "vouch test PKI\r\nversion 1\r\ncreated 5\r\nend\r\n",
  };
  for (const char* text : bad) EXPECT_FALSE(parse_pki_manifest(text).has_value()) << text;
  // An embedded NUL in a path.
  EXPECT_FALSE(parse_pki_manifest(head + std::string("file a\0b\nend\n", 13)).has_value());
  EXPECT_TRUE(parse_pki_manifest(head + "end\n").has_value());
}

}  // namespace
}  // namespace vouch::testing
