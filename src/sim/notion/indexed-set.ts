// A set of ids with O(1) add, delete and access by position, so list pages cost O(page) even at 100,000 users.

/** Deleting swaps the last id into the hole: order is stable only while nothing is removed, like Notion's unsorted lists. */
export class IndexedSet {
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  add(id: string): void {
    if (this.positions.has(id)) return;
    this.positions.set(id, this.ids.length);
    this.ids.push(id);
  }

  delete(id: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    const last = this.ids.pop() as string;
    if (last !== id) {
      this.ids[position] = last;
      this.positions.set(last, position);
    }
    this.positions.delete(id);
    return true;
  }

  at(position: number): string | undefined {
    return this.ids[position];
  }

  values(): readonly string[] {
    return this.ids;
  }

  clear(): void {
    this.ids.length = 0;
    this.positions.clear();
  }
}
