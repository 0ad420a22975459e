import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A self-signed certificate for 127.0.0.1, made once per run with openssl
 * like scripts/tls.sh makes the appliance's: the e2e suite talks HTTPS to the
 * app as an admin's browser does. Node clients trust it through
 * NODE_EXTRA_CA_CERTS; the browser is told to accept it (ignoreHTTPSErrors).
 */
export function ensureTestCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", key, "-out", cert,
    ], { stdio: "ignore" });
  }
  return { cert, key };
}
