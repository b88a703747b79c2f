// Public face of the web console: the Hono app (for the worker's HTTP port) and a server of its own (`console`).
export { consoleSetupProblem, createConsoleApp, ConsoleSetupError } from './app.js';
export { createConsoleRequestListener, startConsoleServer, type ConsoleServer } from './server.js';
export type { ConsoleOptions } from './context.js';
export { createPhaseRecorder, type PhaseRecorder } from './phase-recorder.js';
