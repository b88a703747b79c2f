// Reads the citations of docs/ in source comments, by the rules docs/README.md states, and checks that each one
// names a document, section, principle or titled part that exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Docs {
  architecture: string;
  /** Reference document name (`notion-scim`) → its text. */
  references: Map<string, string>;
}

export function readDocs(folder = 'docs'): Docs {
  const references = new Map<string, string>();
  for (const name of ['notion-scim', 'entra-provisioning', 'peers', 'graph-notifications']) {
    const path = join(folder, 'reference', `${name}.md`);
    if (existsSync(path)) references.set(name, readFileSync(path, 'utf8'));
  }
  const architecture = join(folder, 'ARCHITECTURE.md');
  return { architecture: existsSync(architecture) ? readFileSync(architecture, 'utf8') : '', references };
}

/** The document a bare `§` refers to in a file that names none (docs/README.md, "How the code cites these documents"). */
const subjects: Array<[prefix: string, document: string]> = [
  ['src/scim/', 'notion-scim'],
  ['src/sim/notion/', 'notion-scim'],
  ['src/sim/README.md', 'notion-scim'],
  ['src/store/links.ts', 'notion-scim'],
  ['src/engine/execute-users.ts', 'notion-scim'],
  ['src/engine/matching.ts', 'notion-scim'],
  ['src/notify/', 'graph-notifications'],
  ['src/entra/subscriptions.ts', 'graph-notifications'],
  ['src/sim/graph/subscriptions.ts', 'graph-notifications'],
  ['src/entra/', 'entra-provisioning'],
  ['src/mapping/', 'entra-provisioning'],
  ['src/sim/graph/', 'entra-provisioning'],
  ['src/worker/', 'entra-provisioning'],
];

export function subjectOf(path: string): string | undefined {
  return subjects.find(([prefix]) => path.startsWith(prefix))?.[1];
}

// One pass over a line finds, in order: ARCHITECTURE.md citations, named reference documents, and `§` sections.
const citation =
  /ARCHITECTURE\.md(?:,?\s+(?:principle\s+(\d+)|"([^"]+)"))?|reference\/([a-z][a-z-]*)\.md|\breference\s+([a-z][a-z-]*[a-z])(?:\.md)?(?=[\s,:]*§)|§(\d+(?:\.\d+)*)/g;

/** Problems with the citations of one source file: `file:line: what is wrong`. */
export function citationProblems(path: string, text: string, docs: Docs): string[] {
  const problems: string[] = [];
  let current = subjectOf(path);
  text.split('\n').forEach((line, index) => {
    const where = `${path}:${index + 1}`;
    // A § on a line that cites an RFC (and no reference document) is the RFC's.
    const rfcLine = /RFC\s*\d+/.test(line) && !/reference/.test(line);
    for (const match of line.matchAll(citation)) {
      const [, principle, part, pathName, wordName, section] = match;
      if (match[0].startsWith('ARCHITECTURE.md')) {
        if (!docs.architecture) problems.push(`${where}: docs/ARCHITECTURE.md does not exist`);
        else if (principle && !new RegExp(`^${principle}\\. \\*\\*`, 'm').test(docs.architecture)) problems.push(`${where}: ARCHITECTURE.md has no principle ${principle}`);
        else if (part && !docs.architecture.includes(part)) problems.push(`${where}: ARCHITECTURE.md has no part "${part}"`);
      } else if (pathName ?? wordName) {
        const name = (pathName ?? wordName)!;
        if (docs.references.has(name)) current = name;
        else problems.push(`${where}: docs/reference/${name}.md does not exist`);
      } else if (section && !rfcLine) {
        if (!current) problems.push(`${where}: §${section} names no document (name it: reference notion-scim.md §${section})`);
        else if (!hasSection(docs.references.get(current)!, section)) problems.push(`${where}: docs/reference/${current}.md has no §${section}`);
      }
    }
  });
  return problems;
}

/** A heading numbered `section`, or item n of the numbered list in the section `section` minus its last number. */
export function hasSection(document: string, section: string): boolean {
  const lines = document.split('\n');
  const headingAt = (number: string) => lines.findIndex((l) => new RegExp(`^#{1,6}\\s+${number.replaceAll('.', '\\.')}\\.?\\s`).test(l));
  if (headingAt(section) >= 0) return true;
  const parts = section.split('.');
  const parent = headingAt(parts.slice(0, -1).join('.'));
  if (parts.length < 2 || parent < 0) return false;
  const end = lines.findIndex((l, i) => i > parent && /^#{1,6}\s/.test(l));
  return lines.slice(parent + 1, end < 0 ? undefined : end).some((l) => new RegExp(`^\\s*${parts.at(-1)}\\.\\s`).test(l));
}
