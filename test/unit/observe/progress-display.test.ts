import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createProgress, formatProgressLine } from '../../../src/observe/index.js';
import { writeAboveStatusLine } from '../../../src/observe/terminal.js';

function collector(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY, columns: 100 },
  );
  return { stream, text: () => text };
}

function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('the progress display', () => {
  it('writes a progress log line every few seconds when the output is not a terminal', () => {
    const clock = { ms: 0 };
    const log = logCapture();
    const progress = createProgress({ logger: log.logger, stream: collector(false).stream, logEverySeconds: 5, now: () => clock.ms });
    progress.phase('import users', 1000);
    for (let i = 0; i < 10; i++) {
      clock.ms += 1000;
      progress.tick(50);
    }
    progress.done();
    expect(log.lines.map(({ event, phase, done, total, ratePerSecond, etaSeconds }) => ({ event, phase, done, total, ratePerSecond, etaSeconds }))).toEqual([
      { event: 'progress', phase: 'import users', done: 250, total: 1000, ratePerSecond: 50, etaSeconds: 15 },
      { event: 'progress', phase: 'import users', done: 500, total: 1000, ratePerSecond: 50, etaSeconds: 10 },
      { event: 'progress', phase: 'import users', done: 500, total: 1000, ratePerSecond: 50, etaSeconds: 10 },
    ]);
  });

  it('draws a bar with counts and an estimate in a terminal, and writes nothing to the log', () => {
    const clock = { ms: 0 };
    const log = logCapture();
    const out = collector(true);
    const progress = createProgress({ logger: log.logger, stream: out.stream, now: () => clock.ms });
    progress.phase('apply', 200);
    clock.ms += 2000;
    progress.tick(100);
    progress.done();
    const last = out.text().split('\r').at(-1)!;
    expect(last).toContain('apply [');
    expect(last).toContain('100/200 50% · 50/s · ~2s left');
    expect(out.text().endsWith('\n')).toBe(true);
    expect(log.lines).toEqual([]);
  });

  it('fits the line to a narrow terminal by dropping the bar', () => {
    const line = formatProgressLine({ phase: 'import groups', done: 1500, total: 2000, ratePerSecond: 12.5, etaSeconds: 40 }, 50);
    expect(line).toBe('import groups 1,500/2,000 75% · 13/s · ~40s left');
  });

  it('shows counts without a percentage when the total is unknown', () => {
    expect(formatProgressLine({ phase: 'read delta', done: 42, total: undefined, ratePerSecond: 4.2, etaSeconds: undefined }, 80)).toBe('read delta 42 · 4.2/s');
  });
});

/** What a terminal shows after `text`: `\r` returns to the line start, ESC[K erases to its end. */
function screen(text: string): string[] {
  const lines: string[] = [''];
  let column = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (text.startsWith('\u001b[K', i)) {
      lines[lines.length - 1] = lines.at(-1)!.slice(0, column);
      i += 2;
    } else if (ch === '\r') column = 0;
    else if (ch === '\n') {
      lines.push('');
      column = 0;
    } else {
      const line = lines.at(-1)!;
      lines[lines.length - 1] = line.slice(0, column) + ch + line.slice(column + 1);
      column += 1;
    }
  }
  return lines;
}

describe('the progress bar and log lines on one terminal', () => {
  it('never share a line: each log line is written above the bar, which is drawn again below it', () => {
    const clock = { ms: 0 };
    const out = collector(true);
    const progress = createProgress({ logger: logCapture().logger, stream: out.stream, now: () => clock.ms });
    progress.phase('apply', 10);
    clock.ms += 1000;
    progress.tick(5);
    writeAboveStatusLine(out.stream, '{"level":"info","event":"op.applied"}\n');
    clock.ms += 1000;
    progress.tick(5);
    writeAboveStatusLine(out.stream, '{"level":"info","event":"op.applied"}\n');
    progress.done();
    const lines = screen(out.text());
    expect(lines.slice(0, 2)).toEqual(['{"level":"info","event":"op.applied"}', '{"level":"info","event":"op.applied"}']);
    expect(lines[2]).toMatch(/^apply \[#+\] 10\/10 100%/);
    expect(lines[3]).toBe('');
  });

  it('progress log lines carry the cycle id once the engine hands over its logger', () => {
    const clock = { ms: 0 };
    const log = logCapture();
    const progress = createProgress({ logger: log.logger, stream: collector(false).stream, now: () => clock.ms });
    progress.useLogger?.(log.logger.child({ cycleId: 'c-42' }));
    progress.phase('apply', 2);
    progress.tick(2);
    progress.done();
    expect(log.lines.map((l) => [l.event, l.cycleId])).toEqual([['progress', 'c-42']]);
  });
});
