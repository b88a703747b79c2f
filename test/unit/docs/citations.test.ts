// Every citation of docs/ in src/ resolves: the document, and its section, principle or titled part, exist.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { citationProblems, hasSection, readDocs } from './citations.js';

const docs = readDocs();

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|md)$/.test(entry.name) ? [path] : [];
  });
}

describe('citations of docs/ in src/', () => {
  it('all resolve', () => {
    const files = sourceFiles('src');
    const problems = files.flatMap((file) => citationProblems(file, readFileSync(file, 'utf8'), docs));
    expect(problems).toEqual([]);
  });

  it('are there to check: the sources cite all three kinds', () => {
    const text = sourceFiles('src').map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(text).toMatch(/ARCHITECTURE\.md principle \d/);
    expect(text).toMatch(/reference notion-scim(\.md)? §\d/);
    expect(text).toMatch(/reference entra-provisioning(\.md)? §\d/);
  });
});

describe('the citation check catches', () => {
  it.each([
    ['a missing section', 'src/scim/x.ts', '// Notion pages (reference §9.4).', /notion-scim\.md has no §9\.4/],
    ['a missing section of a named document', 'src/engine/x.ts', '// (reference entra-provisioning §4.9)', /entra-provisioning\.md has no §4\.9/],
    ['a bare section where no document is known', 'src/engine/x.ts', '// as Notion does (§3.1).', /§3\.1 names no document/],
    ['a document that is not in docs/', 'src/engine/x.ts', '// see reference/okta-scim.md', /okta-scim\.md does not exist/],
    ['a principle that does not exist', 'src/engine/x.ts', '// (ARCHITECTURE.md principle 42)', /no principle 42/],
    ['a titled part that does not exist', 'src/engine/x.ts', '// (ARCHITECTURE.md, "Two cycles")', /no part "Two cycles"/],
    ['a missing list item', 'src/scim/x.ts', '// (§5.4.99)', /no §5\.4\.99/],
  ])('%s', (_name, path, line, problem) => {
    expect(citationProblems(path, line, docs).join('\n')).toMatch(problem);
  });

  it('and lets through what exists, including list items and RFC sections', () => {
    const text = [
      '// (ARCHITECTURE.md principle 3, ARCHITECTURE.md "One cycle")',
      '// (reference notion-scim.md §5.1, §7.9) then (§5.4.8)',
      '// SCIM filters (RFC 7644 §3.4.2.2)',
    ].join('\n');
    expect(citationProblems('src/engine/x.ts', text, docs)).toEqual([]);
    expect(hasSection(docs.references.get('notion-scim')!, '5.4.8')).toBe(true);
  });
});
