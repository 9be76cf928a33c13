// VouchJsse: Java's own TLS stack (JSSE, OpenJDK 17) as a TLS 1.2 peer for
// vouch's interop tests of OCSP stapling with status_request_v2 (RFC 6961).
// JSSE implements RFC 6961 in both roles, which OpenSSL and GnuTLS do not.
//
//   java -Djdk.tls.server.enableStatusRequestExtension=true VouchJsse server
//        (--cert CHAIN.pem --key KEY.pem | --pkcs12 FILE.p12 --password PW)
//        --port-file FILE [--connections N]
//     Listens on 127.0.0.1 (a free port, written to FILE once it accepts),
//     speaks TLS 1.2 only, answers N connections (default 1) with a small
//     page, then exits 0. JSSE fetches the chain's OCSP responses itself from
//     the certificates' authorityInfoAccess URLs and staples them (for an
//     intermediate it needs the intermediate's issuer in CHAIN.pem). Prints
//     "handshake: ok PROTOCOL SUITE" or "handshake: failed: REASON" per
//     connection.
//
//   java -Djdk.tls.client.enableStatusRequestExtension=true VouchJsse client
//        --port N --ca ROOTS.pem [--host localhost] [--request TEXT]
//     Connects to 127.0.0.1:N with SNI and hostname verification for HOST,
//     TLS 1.2 only, and checks revocation with a PKIXRevocationChecker: OCSP
//     only (no CRL fallback), hard-fail (no SOFT_FAIL), so every certificate
//     but the trust anchor needs a good OCSP answer — from a staple, or
//     fetched by JSSE from the certificate's responder. Prints "protocol:",
//     "cipher:", "peer-certificates:", "status-responses: K" and one
//     "status-response[i]: LEN bytes sha256 HEX" (or "none") line per entry
//     of ExtendedSSLSession.getStatusResponses() — the staples JSSE received
//     — then "page:" and what the server answered. Exit 0 on success; on
//     failure "error: ..." with the exception chain and exit 1.
//
// Keys: unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), EC or RSA, or the
// key entry of a PKCS#12 file (its first one). Certificates: PEM, leaf first.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class VouchJsse {
  private static final String[] TLS12_ONLY = {"TLSv1.2"};
  private static final int TIMEOUT_MS = 20000;
  private static final int MAX_PAGE_BYTES = 1 << 20;

  private VouchJsse() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (Exception e) {
      System.out.println("error: " + describe(e));
      code = 1;
    }
    System.out.flush();
    System.exit(code);
  }

  private static int run(String[] args) throws Exception {
    if (args.length < 1) return usage("no mode");
    Map<String, String> opts = options(args);
    if (opts == null) return usage("bad arguments");
    switch (args[0]) {
      case "server":
        return server(opts);
      case "client":
        return client(opts);
      default:
        return usage("unknown mode " + args[0]);
    }
  }

  private static int usage(String why) {
    System.out.println("error: " + why);
    System.out.println("usage: VouchJsse server (--cert CHAIN.pem --key KEY.pem | --pkcs12 FILE --password PW)");
    System.out.println("                        --port-file FILE [--connections N]");
    System.out.println("       VouchJsse client --port N --ca ROOTS.pem [--host NAME] [--request TEXT]");
    return 2;
  }

  // "--name value" pairs after the mode; null when one has no value.
  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) return null;
      out.put(args[i].substring(2), args[i + 1]);
    }
    return out;
  }

  private static String need(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) throw new IllegalArgumentException("--" + name + " is required");
    return v;
  }

  // The exception and its causes on one line.
  private static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (sb.length() > 0) sb.append(" <- ");
      sb.append(c.getClass().getName()).append(": ").append(c.getMessage());
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- PEM

  private static List<X509Certificate> readCertificates(String path) throws IOException, GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      for (Certificate c : cf.generateCertificates(in)) out.add((X509Certificate) c);
    }
    if (out.isEmpty()) throw new GeneralSecurityException(path + ": no certificate");
    return out;
  }

  private static PrivateKey readKey(String path) throws IOException, GeneralSecurityException {
    String pem = Files.readString(Path.of(path), StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) throw new GeneralSecurityException(path + ": no unencrypted PKCS#8 private key");
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"EC", "RSA", "RSASSA-PSS", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (InvalidKeySpecException wrongAlgorithm) {
        // try the next family
      }
    }
    throw new GeneralSecurityException(path + ": unsupported key type");
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) sb.append(String.format("%02x", x & 0xff));
    return sb.toString();
  }

  // ---------------------------------------------------------------- server

  // The server's identity: a PKCS#12 file as given, or a PEM chain and key
  // put into an in-memory PKCS#12 store.
  private static KeyStore identity(Map<String, String> opts, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    if (opts.containsKey("pkcs12")) {
      try (InputStream in = Files.newInputStream(Path.of(opts.get("pkcs12")))) {
        ks.load(in, password);
      }
      System.out.println("identity: " + opts.get("pkcs12") + " (PKCS#12)");
      return ks;
    }
    List<X509Certificate> chain = readCertificates(need(opts, "cert"));
    PrivateKey key = readKey(need(opts, "key"));
    ks.load(null, null);
    ks.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
    System.out.println("identity: " + opts.get("cert") + " (PEM, " + chain.size() + " certificates)");
    return ks;
  }

  private static int server(Map<String, String> opts) throws Exception {
    Path portFile = Path.of(need(opts, "port-file"));
    int connections = Integer.parseInt(opts.getOrDefault("connections", "1"));
    char[] password = opts.getOrDefault("password", "vouch").toCharArray();
    KeyStore ks = identity(opts, password);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);

    System.out.println("stapling: jdk.tls.server.enableStatusRequestExtension="
        + System.getProperty("jdk.tls.server.enableStatusRequestExtension"));
    try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
             .createServerSocket(0, 16, InetAddress.getByName("127.0.0.1"))) {
      ss.setEnabledProtocols(TLS12_ONLY);
      // Written to a temporary name and renamed: a reader never sees half.
      Path tmp = Path.of(portFile + ".tmp");
      Files.writeString(tmp, ss.getLocalPort() + "\n");
      Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
      System.out.println("listening: 127.0.0.1:" + ss.getLocalPort());
      System.out.flush();
      ss.setSoTimeout(TIMEOUT_MS * 3);
      for (int i = 0; i < connections; ++i) {
        try (SSLSocket s = (SSLSocket) ss.accept()) {
          s.setSoTimeout(TIMEOUT_MS);
          serveOne(s);
        }
        System.out.flush();
      }
    }
    return 0;
  }

  private static void serveOne(SSLSocket s) {
    try {
      s.startHandshake();
      SSLSession session = s.getSession();
      System.out.println("handshake: ok " + session.getProtocol() + " " + session.getCipherSuite());
      // The request: up to an empty line, or EOF.
      InputStream in = s.getInputStream();
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      int c;
      while (request.size() < 8192 && (c = in.read()) >= 0) {
        request.write(c);
        String r = request.toString(StandardCharsets.US_ASCII);
        if (r.endsWith("\r\n\r\n") || r.endsWith("\n\n")) break;
      }
      OutputStream out = s.getOutputStream();
      String page = "HTTP/1.0 200 ok\r\n\r\nvouch-jsse server\nprotocol: " + session.getProtocol() + "\n";
      out.write(page.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      System.out.println("handshake: failed: " + describe(e));
    }
  }

  // ---------------------------------------------------------------- client

  private static int client(Map<String, String> opts) throws Exception {
    int port = Integer.parseInt(need(opts, "port"));
    String host = opts.getOrDefault("host", "localhost");
    String request = opts.getOrDefault("request", "GET / HTTP/1.0\r\n\r\n");

    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    int n = 0;
    for (X509Certificate root : readCertificates(need(opts, "ca"))) anchors.setCertificateEntry("root" + n++, root);
    PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
    // Revocation checking on, OCSP only, hard-fail: JSSE hands the stapled
    // responses to this checker (they take the place of fetching).
    PKIXRevocationChecker revocation =
        (PKIXRevocationChecker) CertPathValidator.getInstance("PKIX").getRevocationChecker();
    revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK));
    params.addCertPathChecker(revocation);
    params.setRevocationEnabled(true);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(new CertPathTrustManagerParameters(params));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);

    System.out.println("stapling: jdk.tls.client.enableStatusRequestExtension="
        + System.getProperty("jdk.tls.client.enableStatusRequestExtension"));
    System.out.println("revocation: PKIXRevocationChecker options=" + revocation.getOptions());
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
    raw.setSoTimeout(TIMEOUT_MS);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true)) {
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(TLS12_ONLY);
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setServerNames(List.of(new SNIHostName(host)));
      s.setSSLParameters(p);
      s.startHandshake();
      SSLSession session = s.getSession();
      System.out.println("protocol: " + session.getProtocol());
      System.out.println("cipher: " + session.getCipherSuite());
      System.out.println("peer-certificates: " + session.getPeerCertificates().length);
      List<byte[]> responses = ((ExtendedSSLSession) session).getStatusResponses();
      System.out.println("status-responses: " + responses.size());
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < responses.size(); ++i) {
        byte[] r = responses.get(i);
        System.out.println("status-response[" + i + "]: "
            + (r == null || r.length == 0 ? "none" : r.length + " bytes sha256 " + hex(sha256.digest(r))));
      }
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream page = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int got;
      while (page.size() < MAX_PAGE_BYTES && (got = in.read(buf)) >= 0) page.write(buf, 0, got);
      System.out.println("page:");
      System.out.print(page.toString(StandardCharsets.UTF_8));
    }
    return 0;
  }
}
