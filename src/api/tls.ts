/**
 * @module api/tls
 * The certificate the lab's API presents over HTTPS (ADR 0027): a certificate authority made
 * once per machine (per state folder) and a server certificate it signs for 127.0.0.1, ::1
 * and localhost. Real clients verify it through the CA file the user points them at
 * (`arslab env`: REQUESTS_CA_BUNDLE for az and Python, NODE_EXTRA_CA_CERTS for Node).
 *
 * Made with the system's `openssl` (Node can make keys but not X.509 certificates), in a
 * temporary folder renamed into place, so two labs starting at once never see half a set.
 * Keys are 0600 in a 0700 folder; certificates are 0644.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface LabCertificate {
  /** The CA's certificate (PEM): what clients trust. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Names the server certificate covers: the API listens on 127.0.0.1; clients may say localhost. */
const SERVER_NAMES = 'IP:127.0.0.1,IP:::1,DNS:localhost';
/** A server certificate is renewed when it has less than this left. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

function files(dir: string) {
  return {
    caFile: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  };
}

/** Whether the set in `dir` is complete, covers 127.0.0.1 and is not about to expire. */
function usable(dir: string, now: number): boolean {
  const f = files(dir);
  if (![f.caFile, f.certFile, f.keyFile].every((p) => existsSync(p))) return false;
  try {
    const cert = new X509Certificate(readFileSync(f.certFile));
    const ca = new X509Certificate(readFileSync(f.caFile));
    return (
      cert.checkIP('127.0.0.1') !== undefined &&
      cert.verify(ca.publicKey) &&
      Date.parse(cert.validTo) - now > RENEW_BEFORE_MS
    );
  } catch {
    return false;
  }
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer; message: string };
    if (err.code === 'ENOENT')
      throw new Error('openssl is needed to make the API certificate (Debian: apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** Makes a CA and a server certificate in `dir` (a new, empty folder). */
function generate(dir: string): void {
  const f = files(dir);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // The CA: basicConstraints and keyUsage critical, as strict verifiers (OpenSSL 3,
  // Python's VERIFY_X509_STRICT) require of an issuer.
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f.caKey,
      '-out',
      f.caFile,
      '-days',
      '3650',
      '-sha256',
      '-subj',
      '/O=ARSLab/CN=ARSLab local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
    ],
    dir,
  );
  openssl(['req', ...ec, '-keyout', f.keyFile, '-out', 'server.csr', '-subj', '/O=ARSLab/CN=127.0.0.1'], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${SERVER_NAMES}`,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid,issuer',
      '',
    ].join('\n'),
  );
  // 397 days: the longest life browsers accept for a server certificate.
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      f.caFile,
      '-CAkey',
      f.caKey,
      '-CAcreateserial',
      '-out',
      f.certFile,
      '-days',
      '397',
      '-sha256',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  for (const extra of ['server.csr', 'server.ext', 'ca.srl']) rmSync(join(dir, extra), { force: true });
  chmodSync(f.caKey, 0o600);
  chmodSync(f.keyFile, 0o600);
  chmodSync(f.caFile, 0o644);
  chmodSync(f.certFile, 0o644);
}

/**
 * The lab's certificate in `dir` (made there when missing, broken or near its end). Returns
 * the files and the server's key and certificate for `https.createServer`.
 */
export function ensureLabCertificate(dir: string, now = Date.now()): LabCertificate {
  if (!usable(dir, now)) {
    const parent = dirname(dir);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    const tmp = mkdtempSync(join(parent, '.tls-'));
    try {
      generate(tmp);
      if (existsSync(dir)) {
        // Another lab may have just made a good set: keep it rather than replace it under it.
        if (usable(dir, now)) rmSync(tmp, { recursive: true, force: true });
        else {
          renameSync(dir, `${dir}.old-${process.pid}`);
          renameSync(tmp, dir);
          rmSync(`${dir}.old-${process.pid}`, { recursive: true, force: true });
        }
      } else {
        try {
          renameSync(tmp, dir);
        } catch (e) {
          // Lost the race to a lab starting beside this one: its set is as good.
          if (!usable(dir, now)) throw e;
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const f = files(dir);
  return {
    caFile: f.caFile,
    certFile: f.certFile,
    keyFile: f.keyFile,
    cert: readFileSync(f.certFile),
    key: readFileSync(f.keyFile),
  };
}
