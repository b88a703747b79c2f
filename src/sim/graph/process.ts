// Runs the Graph simulator as its own process (`entra-notion-sync sim graph …`): generate a tenant, serve it,
// print one JSON line with what a client needs, and stop cleanly on SIGTERM or SIGINT.
import { generateTenant } from './generate.js';
import { startGraphSimulator, type GraphSimulator } from './server.js';
import { simulatorCaPath } from './tls-files.js';

export interface GraphSimulatorProcessOptions {
  users: number;
  groups: number;
  seed: number;
  port?: number;
}

/** Starts the simulator and resolves once it listens; the process exits after a signal closes it. */
export async function runGraphSimulatorProcess(
  options: GraphSimulatorProcessOptions,
  writeLine: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<GraphSimulator> {
  const tenant = generateTenant({ seed: options.seed, users: options.users, groups: options.groups });
  const simulator = await startGraphSimulator(options.port === undefined ? { tenant } : { tenant, port: options.port });
  writeLine(JSON.stringify({
    authorityHost: simulator.authorityHost,
    graphBaseUrl: simulator.graphBaseUrl,
    tenantId: simulator.tenantId,
    clientId: simulator.clientId,
    clientSecret: simulator.clientSecret,
    servicePrincipalId: simulator.servicePrincipalId,
    caPath: simulatorCaPath,
    controlUrl: `${simulator.graphBaseUrl}/_sim/`,
  }));
  const stop = (): void => {
    simulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return simulator;
}
