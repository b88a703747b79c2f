import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The chaos suite (npm run test:chaos; .ci/chaos.sh runs it at a bounded size): the built CLI as a process against
// both simulators behind fault proxies. Not part of `npm test`: it is slower, and CHAOS_ROUNDS makes it run for hours.
process.env.NODE_EXTRA_CA_CERTS = fileURLToPath(new URL('./src/sim/tls/ca.pem', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 600_000 * Math.max(1, Number(process.env.CHAOS_ROUNDS ?? 1)),
    hookTimeout: 120_000,
    // Each scenario already runs CLI processes beside the simulators: one file at a time keeps two cores enough.
    maxWorkers: 1,
    fileParallelism: false,
    reporters: process.env.VITEST_JSON_REPORT ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] : ['default'],
  },
});
