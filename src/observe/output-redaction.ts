// The one choke point for printed text: every write to stdout and stderr passes through redactText, whatever
// command or library made it (a table printed by `status`, a warning printed by `plan`, an unexpected stack).
import { readFileSync } from 'node:fs';
import { environmentSettings } from '../config/environment.js';
import { redactText, registerSecrets } from './redact.js';

type Write = NodeJS.WriteStream['write'];

const installed = new WeakSet<NodeJS.WriteStream>();

/**
 * Registers the secrets the environment holds (values and `<NAME>_FILE` files), so that commands which never load
 * a logger still hide them, and redacts every later write to `process.stdout` and `process.stderr`.
 */
export function installOutputRedaction(env: NodeJS.ProcessEnv = process.env): void {
  registerSecrets(secretsFromEnvironment(env));
  for (const stream of [process.stdout, process.stderr]) redactWrites(stream);
}

/** Wraps one stream's `write`; string and byte chunks alike are redacted as text. */
export function redactWrites(stream: NodeJS.WriteStream): void {
  if (installed.has(stream)) return;
  installed.add(stream);
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') {
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined;
      const text = encoding && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding).toString('utf8') : chunk;
      return original(redactText(text), 'utf8', ...rest.filter((arg) => typeof arg === 'function'));
    }
    if (chunk instanceof Uint8Array) return original(redactText(Buffer.from(chunk).toString('utf8')), ...rest);
    return original(chunk, ...rest);
  };
  stream.write = write as Write;
}

/** The values of the secret settings in an environment, read from `<NAME>_FILE` files too. */
export function secretsFromEnvironment(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const setting of environmentSettings.filter((s) => s.secret)) {
    const direct = env[setting.name];
    if (direct) values.push(direct);
    const file = env[`${setting.name}_FILE`];
    if (!file) continue;
    try {
      values.push(readFileSync(file, 'utf8').trim());
    } catch {
      // An unreadable file is the configuration loader's to report, with its name and a hint.
    }
  }
  return values;
}
