import { describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { copyBinary } from '@/lib/repositories/binary-copy';

describe('binary COPY', () => {
  it('writes integers, floats, NULLs, booleans, enum labels and Japanese text as they were, over several chunks', async () => {
    const client = await getPool().connect();
    try {
      await client.query(`CREATE TEMP TABLE copied (n int, x float8, ok boolean, kind "PairKind", name text)`);
      const count = 20_000;
      const name = (i: number) => `山田_${i}\n${'é'.repeat(i % 7)}`;
      await copyBinary(client, 'copied', ['n', 'x', 'ok', 'kind', 'name'], count, (row, i) => {
        row.int4(i % 3 === 0 ? null : i).float8(i % 5 === 0 ? Number.NaN : i / 7).bool(i % 2 === 0);
        row.text(i % 2 ? 'near_duplicate' : 'cross_identity').text(name(i));
      });
      const { rows } = await client.query(`SELECT n, x, ok, kind::text, name FROM copied ORDER BY ctid`);
      expect(rows).toHaveLength(count);
      for (const i of [0, 1, 2, 3, 5, 14, 19_999]) {
        expect(rows[i]).toEqual({
          n: i % 3 === 0 ? null : i,
          x: i % 5 === 0 ? null : i / 7,
          ok: i % 2 === 0,
          kind: i % 2 ? 'near_duplicate' : 'cross_identity',
          name: name(i),
        });
      }
    } finally {
      await client.query('DROP TABLE IF EXISTS copied');
      client.release();
    }
  });

  it('copies nothing, without error, when there are no rows', async () => {
    const client = await getPool().connect();
    try {
      await client.query(`CREATE TEMP TABLE empty_copy (n int)`);
      await copyBinary(client, 'empty_copy', ['n'], 0, () => {});
      expect((await client.query(`SELECT count(*)::int AS n FROM empty_copy`)).rows[0].n).toBe(0);
    } finally {
      await client.query('DROP TABLE IF EXISTS empty_copy');
      client.release();
    }
  });
});
