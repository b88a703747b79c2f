// The import's write queue: one at a time, in order, and a failed write neither stops the next nor is lost.
import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../../../src/entra/one-at-a-time.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('oneAtATime', () => {
  it('runs each function after the one before has settled, in the order given', async () => {
    const serialize = oneAtATime();
    const events: string[] = [];
    let running = 0;
    const write = (name: string) => async (): Promise<string> => {
      running += 1;
      events.push(`${name} starts with ${running} running`);
      await tick();
      await tick();
      running -= 1;
      return name;
    };
    const answers = await Promise.all([serialize(write('a')), serialize(write('b')), serialize(write('c'))]);
    expect(answers).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a starts with 1 running', 'b starts with 1 running', 'c starts with 1 running']);
  });

  it('gives a failure to its own caller and runs the next function', async () => {
    const serialize = oneAtATime();
    const failed = serialize(async () => {
      await tick();
      throw new Error('page write failed');
    });
    const next = serialize(async () => 'next page');
    await expect(failed).rejects.toThrow('page write failed');
    await expect(next).resolves.toBe('next page');
  });
});
