// The console's pure pieces: the health verdict's precedence, the chart's grouping of counts, CSV cells, the log filter.
import { describe, expect, it } from 'vitest';
import { changesByKind } from '../../../src/console/chart.js';
import { healthLabel } from '../../../src/console/health.js';
import { csvCell } from '../../../src/console/log-export.js';
import { readLogFilter, toLogSearch } from '../../../src/console/log-filter.js';
import { createPhaseRecorder } from '../../../src/console/phase-recorder.js';
import { createSignInThrottle } from '../../../src/console/sessions.js';

const health = (change: Partial<Parameters<typeof healthLabel>[0]> = {}) => ({ quarantine: undefined, lastSuccessAt: undefined, stale: false, stagedDeletes: 0, escrowed: 0, ...change });

describe('healthLabel', () => {
  it('puts quarantine before staleness, staleness before held deletions, and those before a running cycle', () => {
    const quarantine = { reason: 'token refused', since: null, nextAttemptAt: null };
    expect(healthLabel(health({ quarantine, stale: true, stagedDeletes: 2 }), true, 'held')).toBe('quarantined');
    expect(healthLabel(health({ stale: true, stagedDeletes: 2 }), true, 'held')).toBe('stale');
    expect(healthLabel(health({ stagedDeletes: 2 }), true, 'succeeded')).toBe('held');
    expect(healthLabel(health(), true, 'held')).toBe('held');
    expect(healthLabel(health(), true, 'succeeded')).toBe('running');
    expect(healthLabel(health({ escrowed: 3 }), false, 'partial')).toBe('healthy');
  });
});

describe('changesByKind', () => {
  it('counts successes by kind and every failure as a failure', () => {
    expect(changesByKind({ 'create.success': 3, 'link.success': 1, 'update.success': 2, 'enable.success': 1, 'disable.success': 1, 'delete.success': 1, 'add-members.success': 4, 'remove-members.success': 1, 'create.failure': 2, 'update.failure': 1, 'staged-delete.skipped': 5 })).toEqual({
      create: 4, update: 3, deprovision: 2, members: 5, failure: 3,
    });
  });
});

describe('csvCell', () => {
  it('quotes separators and quotes, and defuses what a spreadsheet would run as a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell([{ path: 'title', old: 'a', new: 'b' }])).toBe('"[{""path"":""title"",""old"":""a"",""new"":""b""}]"');
  });
});

describe('log filter', () => {
  it('drops unknown actions and statuses, and reads times as UTC', () => {
    const query: Record<string, string> = { object: ' ada ', action: 'bogus', status: 'failure', from: '2026-01-02T03:04', to: 'not a time' };
    const filter = readLogFilter((name) => query[name]);
    expect(filter).toMatchObject({ object: 'ada', action: '', status: 'failure' });
    expect(toLogSearch('default', filter)).toEqual({ target: 'default', object: 'ada', status: 'failure', from: new Date('2026-01-02T03:04:00Z') });
  });
});

describe('sign-in throttle', () => {
  it('refuses after the limit of failures within the window, and allows again once they are older', () => {
    let now = 0;
    const throttle = createSignInThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.allowed()).toBe(true);
      throttle.recordFailure();
    }
    expect(throttle.allowed()).toBe(false);
    now = 60_001;
    expect(throttle.allowed()).toBe(true);
  });
});

describe('phase recorder', () => {
  it('tells the phase in flight with its count, rate and time left, and nothing between cycles', () => {
    let now = 0;
    const recorder = createPhaseRecorder(() => now);
    expect(recorder.snapshot()).toBeUndefined();
    recorder.progress.phase('apply', 100);
    now = 10_000;
    recorder.progress.tick(20);
    expect(recorder.snapshot()).toEqual({ phase: 'apply', done: 20, total: 100, ratePerSecond: 2, etaSeconds: 40 });
    recorder.progress.done();
    expect(recorder.snapshot()).toBeUndefined();
  });
});
