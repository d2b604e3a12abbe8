import { describe, expect, it } from 'vitest';
import { tileOrder } from '@/lib/services/search-run';

/** Blocks a process reads running the tiles in order, holding the last two blocks it used (as runTile does: column block, then row block). */
function blocksRead(tiles: { rowBlock: number; colBlock: number }[], held: number[]): number {
  let reads = 0;
  for (const { rowBlock, colBlock } of tiles) {
    for (const block of rowBlock === colBlock ? [rowBlock] : [colBlock, rowBlock]) {
      if (held.includes(block)) held.splice(held.indexOf(block), 1);
      else reads++;
      held.push(block);
      if (held.length > 2) held.shift();
    }
  }
  return reads;
}

describe('the order tiles are queued in', () => {
  it('covers the upper triangle once, and reads one block per off-diagonal tile but the first, which the planner holds', () => {
    for (const blocks of [1, 2, 3, 4, 7, 12]) {
      const tiles = tileOrder(blocks);
      expect(new Set(tiles.map((t) => `${t.rowBlock},${t.colBlock}`)).size).toBe((blocks * (blocks + 1)) / 2);
      expect(tiles.every((t) => t.rowBlock <= t.colBlock && t.colBlock < blocks)).toBe(true);
      // the planner ends holding the last two blocks
      const held = blocks === 1 ? [0] : [blocks - 2, blocks - 1];
      expect(blocksRead(tiles, held)).toBe(Math.max(0, (blocks * (blocks - 1)) / 2 - 1));
    }
  });
});
