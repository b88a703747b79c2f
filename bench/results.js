// bench/RESULTS.md: each benchmark owns the section under its own heading and rewrites only that section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const resultsFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

/** Replaces (or appends) the section that starts with `heading`; `lines` are the section's lines after the heading. */
export function writeResultsSection(heading, lines) {
  const section = `${[heading, ...lines].join('\n').trimEnd()}\n`;
  // Re-read just before writing: other benchmarks own the other sections of this file.
  const current = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmark results\n';
  const start = current.indexOf(heading);
  let next;
  if (start === -1) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + heading.length);
    next = `${current.slice(0, start)}${section}${after === -1 ? '' : `\n${current.slice(after + 1)}`}`;
  }
  writeFileSync(resultsFile, next);
}
