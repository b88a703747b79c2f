// Test helper: a whole listing in memory, walked the way the engine walks it (page by page, repeats told by id).
import type { ListingWalk, PageConsumer } from '../../src/scim/index.js';

export async function listAll<T extends { id: string }>(walk: (onPage: PageConsumer<T>) => Promise<ListingWalk>): Promise<ListingWalk & { resources: T[] }> {
  const byId = new Map<string, T>();
  const result = await walk((page) => {
    let fresh = 0;
    for (const resource of page) {
      if (byId.has(resource.id)) continue;
      byId.set(resource.id, resource);
      fresh += 1;
    }
    return fresh;
  });
  return { ...result, resources: [...byId.values()] };
}
