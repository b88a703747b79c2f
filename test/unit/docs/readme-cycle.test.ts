// README's "What a cycle does" is read by operators deciding what a cycle may delete: each paragraph must be whole
// (a stale fragment once cut into it mid-sentence) and what happens to a group leaving scope must be said one way.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.split('### What a cycle does\n')[1]!.split('\n### ')[0]!;
/** Prose paragraphs: blocks between blank lines that are not tables, lists or code. */
const paragraphs = section
  .split(/\n\s*\n/)
  .map((block) => block.trim())
  .filter((block) => block !== '' && !/^(\||- |\d+\. |```)/.test(block));

describe("README's What a cycle does", () => {
  it('has only whole paragraphs: each starts a sentence and ends one', () => {
    for (const paragraph of paragraphs) {
      expect(paragraph, paragraph.slice(0, 80)).toMatch(/^(\*\*|`|[A-Z])/);
      expect(paragraph, paragraph.slice(-80)).toMatch(/[.:)]$/);
    }
  });

  it('says that a group leaving scope is deleted only after the grace period', () => {
    const sentences = paragraphs.join(' ').replace(/\s+/g, ' ').split(/(?<=\.) (?=[A-Z])/);
    const leaving = sentences.filter((s) => /groups? (that )?leaves? scope/i.test(s));
    expect(leaving.length).toBeGreaterThan(0);
    for (const sentence of leaving) expect(sentence).toMatch(/GROUP_DELETE_GRACE_DAYS|grace period/);
  });
});
