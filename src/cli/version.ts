// The package version, read once from package.json: the one source for `--version` and `config`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from '../config/index.js';

export const packageVersion: string = (JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
