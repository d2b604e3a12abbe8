import { describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { copyBinary, copyOut } from '@/lib/repositories/binary-copy';

describe('binary COPY', () => {
  it('writes integers, floats, NULLs, booleans, enum labels and Japanese text as they were, over several chunks', async () => {
    const client = await getPool().connect();
    try {
      await client.query(`CREATE TEMP TABLE copied (n int, x float8, ok boolean, kind "PairKind", name text)`);
      const count = 20_000;
      const name = (i: number) => `山田_${i}\n${'é'.repeat(i % 7)}`;
      await copyBinary(client, 'copied', ['n', 'x', 'ok', 'kind', 'name'], count, (row, i) => {
        row
          .int4(i % 3 === 0 ? null : i)
          .float8(i % 5 === 0 ? Number.NaN : i / 7)
          .bool(i % 2 === 0);
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

  it('reads integers, text, NULLs and raw bytea back in order, across chunk boundaries, and frees its connection when stopped early', async () => {
    const sql = `SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE '名前_' || n END, decode(repeat(lpad(to_hex(n % 256), 2, '0'), 2048), 'hex') FROM generate_series(1, 3000) n ORDER BY n`;
    const seen: { n: number; name: string | null; bytes: number; first: number }[] = [];
    const all = copyOut(sql, 3, ({ bytes, start, length }) => {
      seen.push({
        n: bytes.readInt32BE(start[0]),
        name: length[1] < 0 ? null : bytes.toString('utf8', start[1], start[1] + length[1]),
        bytes: length[2],
        first: bytes[start[2]],
      });
    });
    while (!(await all.next()).done);
    expect(seen).toHaveLength(3000);
    for (const k of [0, 2, 3, 1234, 2999]) {
      const n = k + 1;
      expect(seen[k]).toEqual({ n, name: n % 4 === 0 ? null : `名前_${n}`, bytes: 2048, first: n % 256 });
    }
    let read = 0;
    const some = copyOut(sql, 3, () => read++);
    while (read <= 100) await some.next();
    await some.return(undefined);
    expect(read).toBeLessThan(3000);
    const copying = async () =>
      (await getPool().query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT n, CASE%' AND pid <> pg_backend_pid()`)).rows[0].n;
    await expect.poll(copying, { timeout: 10_000 }).toBe(0);
  });
});
