import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/store/index.js';
import { createTestStoreLocation, usingPostgres } from '../../helpers/store.js';

describe('the per-target cycle lock', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('lets one holder at a time run a target, and frees it on release', async () => {
    const { location, drop } = await createTestStoreLocation();
    cleanups.push(drop);
    const first = await openStore(location);
    cleanups.push(() => first.close());
    // On Postgres the second caller is a separate connection pool, as another replica would be;
    // the embedded store belongs to one process, so the second caller shares it.
    let second: Store = first;
    if (usingPostgres) {
      second = await openStore(location);
      cleanups.push(() => second.close());
    }

    const held = await first.tryLockTarget('workspace-a');
    expect(held).not.toBeNull();
    expect(await second.tryLockTarget('workspace-a')).toBeNull();
    const other = await second.tryLockTarget('workspace-b');
    expect(other).not.toBeNull();

    await held!.release();
    const afterRelease = await second.tryLockTarget('workspace-a');
    expect(afterRelease).not.toBeNull();
    await afterRelease!.release();
    await other!.release();
  });

  it('frees the lock when the holder closes the store', async () => {
    const { location, drop } = await createTestStoreLocation();
    cleanups.push(drop);
    const first = await openStore(location);
    expect(await first.tryLockTarget('workspace-a')).not.toBeNull();
    await first.close();
    const second = await openStore(location);
    cleanups.push(() => second.close());
    const lock = await second.tryLockTarget('workspace-a');
    expect(lock).not.toBeNull();
    await lock!.release();
  });
});
