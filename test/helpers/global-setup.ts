// Runs once before the test workers start.
import { ensurePgliteTemplate } from './pglite-template.js';

export default async function setup(): Promise<void> {
  await ensurePgliteTemplate();
}
