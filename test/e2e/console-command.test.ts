// `console` as a process: it refuses to listen beyond loopback without a password (exit 2, one line), serves the
// console over a store on loopback, reads CONSOLE_PASSWORD_FILE like the other secrets, and stops on SIGTERM (or SIGHUP).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';

let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await drop?.();
  drop = undefined;
});

describe('entra-notion-sync console', () => {
  it('refuses to listen beyond loopback without CONSOLE_PASSWORD, exit 2 without a stack trace, before opening the store', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'console-refused-')), 'data');
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'console', '--host', '0.0.0.0', '--port', String(await freePort())], { env: { ...cleanEnv, DATA_DIR: dataDir }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(existsSync(dataDir)).toBe(false);
    expect(result.stderr.trim()).toBe('console: the console listens beyond loopback: set CONSOLE_PASSWORD (or CONSOLE_PASSWORD_FILE) so that it asks for a password, or listen on 127.0.0.1');
  });

  it('serves the sign-in form with a password read from CONSOLE_PASSWORD_FILE, and stops on SIGTERM', async () => {
    const store = await createTestStoreLocation();
    drop = store.drop;
    const secretFile = join(mkdtempSync(join(tmpdir(), 'console-secret-')), 'password');
    writeFileSync(secretFile, 'a password in a mounted file\n');
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/cli/main.js', 'console', '--port', String(port)], { env: { ...cleanEnv, ...storeEnv(store.location), CONSOLE_PASSWORD_FILE: secretFile, LOG_LEVEL: 'silent' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => stdout.includes('Console: ') && resolve());
      child.on('exit', (code) => reject(new Error(`console exited ${code}`)));
    });
    expect(stdout).toContain(`Console: http://127.0.0.1:${port}`);
    const refused = await fetch(`http://127.0.0.1:${port}/cycles`, { redirect: 'manual' });
    expect(refused.status).toBe(303);
    const signIn = await (await fetch(`http://127.0.0.1:${port}/sign-in`)).text();
    expect(signIn).toContain('name="password"');
    const wrong = await fetch(`http://127.0.0.1:${port}/sign-in`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ name: 'alice', password: 'nope' }) });
    expect(wrong.status).toBe(401);
    const right = await fetch(`http://127.0.0.1:${port}/sign-in`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ name: 'alice', password: 'a password in a mounted file' }) });
    expect(right.status).toBe(303);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('stops on SIGHUP (the terminal it runs in goes away) as on SIGTERM: it stops answering and exits 0', async () => {
    const store = await createTestStoreLocation();
    drop = store.drop;
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/cli/main.js', 'console', '--port', String(port)], { env: { ...cleanEnv, ...storeEnv(store.location), LOG_LEVEL: 'silent' } });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()).includes('Console: ') && resolve());
      child.on('exit', (code) => reject(new Error(`console exited ${code}`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
    child.kill('SIGHUP');
    expect(await exited).toEqual([0, null]);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
