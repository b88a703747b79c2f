import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The Graph simulator serves TLS (MSAL wants an https authority). Node reads NODE_EXTRA_CA_CERTS only at
// process start, so it is set here, before vitest forks its workers, which inherit it.
process.env.NODE_EXTRA_CA_CERTS = fileURLToPath(new URL('./src/sim/tls/ca.pem', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only fight over the CPU and PGlite start-up.
    maxWorkers: 2,
    // .ci/run asks for a JSON report too, to print the plain "N passed, N failed" line CI reads.
    reporters: process.env.VITEST_JSON_REPORT ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] : ['default'],
  },
});
