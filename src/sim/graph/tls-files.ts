// Where the loopback TLS material lives. tsc does not copy .pem files into dist/, so both src/sim/graph and
// dist/sim/graph resolve three levels up to the package root and into src/sim/tls.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../config/index.js';

const tlsFolder = new URL('../../../src/sim/tls/', import.meta.url);

/** The CA a client must trust (through NODE_EXTRA_CA_CERTS) to talk to the simulator. */
export const simulatorCaPath = fileURLToPath(new URL('ca.pem', tlsFolder));

export function readServerTls(): { cert: Buffer; key: Buffer } {
  // The container image leaves the private key out on purpose (Dockerfile): say so instead of a stack trace.
  const missing = ['server.pem', 'server-key.pem'].map((file) => fileURLToPath(new URL(file, tlsFolder))).filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new ConfigError(missing.map((path) => `${path}: the simulator's TLS file is not installed here (the container image leaves the private key out); run demo and sim graph from a source checkout`));
  }
  return {
    cert: readFileSync(new URL('server.pem', tlsFolder)),
    key: readFileSync(new URL('server-key.pem', tlsFolder)),
  };
}
