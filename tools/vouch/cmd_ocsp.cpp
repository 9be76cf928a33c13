// `vouch ocsp`: OCSP (RFC 6960) for one certificate on the command line.
//
//   vouch ocsp fetch   --cert C [--issuer I] [--url URL] [--nonce] [--timeout S] [--out F.der]
//   vouch ocsp check   --cert C [--issuer I] --response F.der [--at 2026-11-24T10:00:00Z]
//   vouch ocsp inspect --response F.der [--cert C [--issuer I]]
//
// fetch and check print "ocsp: <status>" and exit 0 only for a verified
// "good"; a verified revoked/unknown status and every failure exit 1 with a
// one-line "error: ..." on stderr. The OCSP work itself is the cert layer's
// (ocsp/ocsp.h, ocsp/fetch.h, ocsp/inspect.h); this file only
// reads files and arguments and prints.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fmt/core.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "ocsp/ocsp.h"
#include "ocsp/fetch.h"
#include "ocsp/inspect.h"
#include "ocsp/ocsp_time.h"
#include "cert/pem.h"
#include "commands.h"
#include "options.h"

namespace vouch::cli {
namespace {

/// The longest --timeout accepted: a responder that needs more is down.
constexpr double kMaxTimeoutSeconds = 300;

struct CertFiles {
  std::string cert;    // PEM; the first certificate is the subject
  std::string issuer;  // PEM; default: the second certificate of `cert`
};

struct FetchArgs {
  CertFiles files;
  std::string url;
  bool nonce = false;
  double timeout_s = 10;
  std::string out;
};

struct CheckArgs {
  CertFiles files;
  std::string response;
  std::string at;
};

struct InspectArgs {
  CertFiles files;
  std::string response;
};

int error_exit(const std::string& message, int code = kExitFailure) {
  print_error("ocsp", message);
  return code;
}

// The certificate whose status is asked and its issuer, owning both.
struct Subject {
  std::vector<ossl::X509Ptr> cert_file;
  std::vector<ossl::X509Ptr> issuer_file;
  X509* cert = nullptr;
  X509* issuer = nullptr;
};

Result<std::vector<ossl::X509Ptr>> read_certificates(const std::string& path, const std::string& option) {
  VOUCH_ASSIGN(const std::string pem, read_text_file(path));
  return read_pem_certificates(pem, option + " " + path);
}

Result<Subject> load_subject(const CertFiles& files) {
  Subject s;
  VOUCH_ASSIGN(s.cert_file, read_certificates(files.cert, "--cert"));
  s.cert = s.cert_file.front().get();
  if (!files.issuer.empty()) {
    VOUCH_ASSIGN(s.issuer_file, read_certificates(files.issuer, "--issuer"));
    s.issuer = s.issuer_file.front().get();
  } else if (s.cert_file.size() >= 2) {
    // A chain file (leaf then intermediate) names the issuer itself.
    s.issuer = s.cert_file[1].get();
  } else {
    return config_error("--cert " + files.cert +
                                           " holds only one certificate; --issuer is needed to name "
                                           "its issuer");
  }
  return s;
}

// An OCSP response is DER (RFC 6960 §4.2.1; what `openssl ocsp -respout` and
// `vouch ocsp fetch --out` write). A PEM "OCSP RESPONSE" block is accepted
// too (its base64 body is the DER); any other PEM — usually a certificate
// given by mistake — is refused saying what was found and what is expected.
Result<Bytes> pem_or_der_response(const Bytes& content, const std::string& path) {
  const std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos || text.substr(begin, 11) != "-----BEGIN ") return content;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())),
                                                &BIO_free);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    ERR_clear_error();
    return fail(Alert::internal_error, path + " starts like PEM but cannot be decoded; an OCSP response file "
                                              "is DER (or a PEM \"OCSP RESPONSE\" block)");
  }
  const std::string label = name;
  Bytes der(data, data + len);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (label != "OCSP RESPONSE") {
    return fail(Alert::internal_error, path + " is PEM (" + label +
                                           "), not an OCSP response: the response file is DER, as written by "
                                           "`vouch ocsp fetch --out FILE` or `openssl ocsp -respout FILE`");
  }
  return der;
}

// The whole of a response file, refusing one larger than any response vouch
// accepts without reading it all.
Result<Bytes> read_response_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open " + path + ": " + std::strerror(errno));
  Bytes out;
  uint8_t buf[16384];
  // Bounded: stops once more than kMaxOcspResponseBytes were read.
  while (out.size() <= kMaxOcspResponseBytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return io_error("cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  if (out.size() > kMaxOcspResponseBytes) {
    return data_error(path + " is larger than " + std::to_string(kMaxOcspResponseBytes) +
                                           " bytes, the limit for an OCSP response");
  }
  return pem_or_der_response(out, path);
}

// Written to a temporary name and renamed, so that FILE is either the old
// file or the whole new response, never a partial one.
Status write_file_atomically(const std::string& path, ByteView data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot write " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("cannot write " + tmp + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot write " + path + ": " + std::strerror(err));
  }
  return {};
}

// "2026-11-24T10:00:00Z" exactly (the form iso8601() prints; RFC 3339 in
// UTC, whole seconds); nullopt for anything else.
std::optional<SysTime> parse_utc_time(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  auto number = [&](size_t pos, size_t len, int& v) {
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
    }
    return std::from_chars(text.data() + pos, text.data() + pos + len, v).ec == std::errc();
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!number(0, 4, y) || !number(5, 2, mo) || !number(8, 2, d) || !number(11, 2, h) ||
      !number(14, 2, mi) || !number(17, 2, s)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return SysTime{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s};
}

// "revoked" and "unknown" are verified answers, but not the one a caller of
// fetch or check hopes for: the exit code says so, and stderr says why.
int status_exit(const OcspStatus& status, const std::string& not_written) {
  if (status.status == OcspCertStatus::good) return kExitOk;
  std::string msg = status.status == OcspCertStatus::revoked
                        ? "the responder says the certificate is revoked"
                        : "the responder does not know the certificate (status unknown)";
  if (!not_written.empty()) msg += "; not writing " + not_written;
  return error_exit(msg);
}

// ------------------------------------------------------------------ fetch

int run_fetch(const FetchArgs& args) {
  if (!(args.timeout_s > 0 && args.timeout_s <= kMaxTimeoutSeconds)) {
    return error_exit(fmt::format("--timeout: expected seconds in (0, {}], got {}", kMaxTimeoutSeconds,
                                  args.timeout_s),
                      kExitUsage);
  }
  Result<Subject> subject = load_subject(args.files);
  if (!subject) return error_exit(subject.error().reason);

  std::string url = args.url;
  if (url.empty()) {
    // RFC 5280 §4.2.2.1: the certificate says where its responder is.
    std::optional<std::string> aia = ocsp_responder_url(subject->cert);
    if (!aia) {
      return error_exit("the certificate in " + args.files.cert +
                        " names no OCSP responder (authorityInfoAccess); give one with --url");
    }
    url = std::move(*aia);
  }

  Bytes nonce;
  Result<Bytes> request = make_ocsp_request(subject->cert, subject->issuer, args.nonce, &nonce);
  if (!request) return error_exit(request.error().reason);
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(std::ceil(args.timeout_s * 1000)));
  Result<Bytes> der = fetch_ocsp(url, *request, timeout, kMaxOcspResponseBytes);
  if (!der) return error_exit(der.error().reason);

  OcspVerifyOptions opts;
  if (args.nonce) opts.expected_nonce = nonce;
  Result<OcspStatus> status = verify_ocsp_response(*der, subject->cert, subject->issuer, {}, opts);
  if (!status) return error_exit(status.error().reason + " (response from " + url + ")");

  fmt::print("ocsp: {}\nurl: {}\n", describe(*status), url);
  std::fflush(stdout);
  // Only a good response is worth keeping (e.g. to staple); a revoked one
  // must not replace a file someone serves from.
  if (status->status != OcspCertStatus::good) return status_exit(*status, args.out);
  if (!args.out.empty()) {
    if (Status st = write_file_atomically(args.out, *der); !st) return error_exit(st.error().reason);
  }
  return kExitOk;
}

// ------------------------------------------------------------------ check

int run_check(const CheckArgs& args) {
  OcspVerifyOptions opts;
  if (!args.at.empty()) {
    opts.now = parse_utc_time(args.at);
    if (!opts.now) {
      return error_exit("--at: expected a UTC time like 2026-11-24T10:00:00Z, got '" + args.at + "'",
                        kExitUsage);
    }
  }
  Result<Subject> subject = load_subject(args.files);
  if (!subject) return error_exit(subject.error().reason);
  Result<Bytes> der = read_response_file(args.response);
  if (!der) return error_exit(der.error().reason);
  Result<OcspStatus> status = verify_ocsp_response(*der, subject->cert, subject->issuer, {}, opts);
  if (!status) return error_exit(args.response + ": " + status.error().reason);
  fmt::print("ocsp: {}\n", describe(*status));
  std::fflush(stdout);
  return status_exit(*status, "");
}

// ---------------------------------------------------------------- inspect

int run_inspect(const InspectArgs& args) {
  // Everything given is read before anything is printed, so that a bad
  // argument is one error line rather than half an output.
  std::optional<Subject> subject;
  if (!args.files.cert.empty()) {
    Result<Subject> s = load_subject(args.files);
    if (!s) return error_exit(s.error().reason);
    subject = std::move(s).value();
  }
  Result<Bytes> der = read_response_file(args.response);
  if (!der) return error_exit(der.error().reason);
  Result<OcspInspection> inspection = inspect_ocsp_response(*der);
  if (!inspection) return error_exit(args.response + ": " + inspection.error().reason);
  fmt::print("{}", format_ocsp_inspection(*inspection));
  if (!subject) return kExitOk;

  Result<OcspStatus> status = verify_ocsp_response(*der, subject->cert, subject->issuer, {}, {});
  if (!status) {
    fmt::print("verification failed: {}\n", status.error().reason);
    return kExitFailure;
  }
  fmt::print("verified: {}\n", describe(*status));
  return status->status == OcspCertStatus::good ? kExitOk : kExitFailure;
}

void add_cert_options(CLI::App& cmd, CertFiles& files, bool required) {
  CLI::Option* cert =
      cmd.add_option("--cert", files.cert, "PEM file; its first certificate is the one asked about");
  if (required) cert->required();
  CLI::Option* issuer = cmd.add_option(
      "--issuer", files.issuer, "PEM file of the issuer (default: the second certificate of --cert)");
  issuer->needs(cert);
}

}  // namespace

Command add_ocsp_command(CLI::App& parent) {
  CLI::App* cmd = parent.add_subcommand("ocsp", "Fetch, check and inspect OCSP responses (RFC 6960)");
  cmd->require_subcommand(1);

  auto fetch = std::make_shared<FetchArgs>();
  CLI::App* fetch_cmd = cmd->add_subcommand(
      "fetch", "Ask the certificate's OCSP responder for its status and verify the answer; "
               "exit 0 only when it is good");
  add_cert_options(*fetch_cmd, fetch->files, /*required=*/true);
  fetch_cmd->add_option("--url", fetch->url,
                        "responder URL (default: the certificate's authorityInfoAccess)");
  fetch_cmd->add_flag("--nonce", fetch->nonce, "send a nonce and require it back (RFC 6960 §4.4.1)");
  fetch_cmd->add_option("--timeout", fetch->timeout_s, "seconds for the whole exchange (default 10)");
  fetch_cmd->add_option("--out", fetch->out, "write the DER response here if it is verified and good");

  auto check = std::make_shared<CheckArgs>();
  CLI::App* check_cmd = cmd->add_subcommand(
      "check", "Verify a saved DER OCSP response for the certificate; exit 0 only when it is good");
  add_cert_options(*check_cmd, check->files, /*required=*/true);
  check_cmd->add_option("--response", check->response, "DER OCSP response file")->required();
  check_cmd->add_option("--at", check->at, "verify at this UTC time (2026-11-24T10:00:00Z) instead of now");

  auto inspect = std::make_shared<InspectArgs>();
  CLI::App* inspect_cmd = cmd->add_subcommand(
      "inspect", "Print what a DER OCSP response says, without trusting it; with --cert, also "
                 "verify it (exit 0 only when it is verified and good)");
  inspect_cmd->add_option("--response", inspect->response,
                          "OCSP response file: DER, or a PEM \"OCSP RESPONSE\" block")
      ->required();
  add_cert_options(*inspect_cmd, inspect->files, /*required=*/false);

  return Command{cmd, [=]() -> int {
                   if (fetch_cmd->parsed()) return run_fetch(*fetch);
                   if (check_cmd->parsed()) return run_check(*check);
                   if (inspect_cmd->parsed()) return run_inspect(*inspect);
                   return kExitUsage;
                 }};
}

}  // namespace vouch::cli
