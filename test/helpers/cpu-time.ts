// CPU time for benchmarks on a shared machine: wall-clock rates swing with
// other load; CPU time per item does not, and is printed beside them.
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** CPU seconds used so far by this process and by the pool's Postgres backends (from /proc). */
export async function cpuSeconds(pool: pg.Pool): Promise<{ node: number; pg: number }> {
  const u = process.cpuUsage();
  const r = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`);
  let ticks = 0;
  for (const { pid } of r.rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      // a backend that has gone since the query
    }
  }
  return { node: (u.user + u.system) / 1e6, pg: ticks / 100 };
}

/** Wall seconds of `f` and the CPU seconds this process and the pool's backends spent meanwhile. */
export async function measure(pool: pg.Pool, f: () => Promise<void>): Promise<{ wall: number; node: number; pg: number }> {
  const c0 = await cpuSeconds(pool);
  const t0 = performance.now();
  await f();
  const wall = (performance.now() - t0) / 1000;
  const c1 = await cpuSeconds(pool);
  return { wall, node: c1.node - c0.node, pg: c1.pg - c0.pg };
}
