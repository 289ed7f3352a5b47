// Certificates for the secured-connection tests, made with openssl and keytool in a folder of the
// test's own: a CA, a server certificate for 127.0.0.1/localhost signed by it (PEM, and in a PKCS12
// keystore for Java), a PKCS12 truststore holding the CA, and a client certificate signed by the CA.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** PKCS12 with the server key and certificate chain (a Kafka broker's `ssl.keystore`). */
  keystore: string;
  /** PKCS12 with the CA (a Kafka broker's `ssl.truststore`, to verify client certificates). */
  truststore: string;
  /** Password of both stores. */
  storePassword: string;
}

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: 'pipe' });

/** A key and a certificate signed by the CA in `dir`, with the given extensions. */
function issue(dir: string, name: string, subject: string, extensions: string[]): void {
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

export function makeCertificates(dir: string): TestCertificates {
  const storePassword = 'test-store-password';
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-sha256', '-subj', '/CN=mcp-audit test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  issue(dir, 'server', '/CN=localhost', ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'extendedKeyUsage=serverAuth']);
  issue(dir, 'client', '/CN=mcp-audit-test-client', ['extendedKeyUsage=clientAuth']);
  run('openssl', ['pkcs12', '-export', '-in', 'server.crt', '-inkey', 'server.key', '-certfile', 'ca.crt', '-name', 'server', '-out', 'server.p12', '-passout', `pass:${storePassword}`], dir);
  run('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.crt', '-keystore', 'truststore.p12', '-storetype', 'PKCS12', '-storepass', storePassword], dir);
  return {
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    keystore: join(dir, 'server.p12'),
    truststore: join(dir, 'truststore.p12'),
    storePassword,
  };
}
