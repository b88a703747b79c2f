// Where the loopback TLS material lives. tsc does not copy .pem files into dist/, so both src/sim/graph and
// dist/sim/graph resolve three levels up to the package root and into src/sim/tls.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tlsFolder = new URL('../../../src/sim/tls/', import.meta.url);

/** The CA a client must trust (through NODE_EXTRA_CA_CERTS) to talk to the simulator. */
export const simulatorCaPath = fileURLToPath(new URL('ca.pem', tlsFolder));

export function readServerTls(): { cert: Buffer; key: Buffer } {
  return {
    cert: readFileSync(new URL('server.pem', tlsFolder)),
    key: readFileSync(new URL('server-key.pem', tlsFolder)),
  };
}
