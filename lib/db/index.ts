// Database access for the app: Prisma for Trisight's own records, a pg Pool
// for the bulk paths (telemetry ingest) where row-by-row ORM calls are too slow.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { setPoolStats } from '@/lib/app-metrics';
import { config } from '@/lib/config';
import { PrismaClient } from '@/lib/generated/prisma/client';

function databaseUrl(): string {
  const url = config().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: start the app with `npm start` (it starts embedded Postgres) or set DATABASE_URL');
  return durableUrl(url);
}

/**
 * The connection string with `synchronous_commit=on` for every session it opens:
 * a write the app acknowledges (an ingest batch answered 200, a run's progress)
 * has reached the WAL on disk, whatever the server's default (a remote Postgres
 * may run with it off). Options already in the URL are kept.
 */
export function durableUrl(url: string): string {
  const u = new URL(url);
  const options = u.searchParams.get('options') ?? '';
  if (/synchronous_commit/.test(options)) return url;
  u.searchParams.set('options', `${options} -c synchronous_commit=on`.trim());
  return u.toString();
}

// Survive Next.js dev reloads and route-module duplication with one pool per process.
const g = globalThis as unknown as { __trisightPrisma?: PrismaClient; __trisightPool?: pg.Pool };

export function createPrisma(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

export function prisma(): PrismaClient {
  g.__trisightPrisma ??= createPrisma(databaseUrl());
  return g.__trisightPrisma;
}

export function pgPool(): pg.Pool {
  if (!g.__trisightPool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 });
    // An idle client that loses its connection (Postgres restarted, network cut)
    // emits 'error' on the pool; unhandled, that would crash the server. The
    // pool drops that client and the next query opens a fresh connection.
    pool.on('error', (e) => console.error(`[trisight] idle Postgres connection lost: ${e.message}`));
    g.__trisightPool = pool;
    setPoolStats(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
  }
  return g.__trisightPool;
}

/** Closes the pool and the Prisma client this process opened, if any (a test's teardown; the next call opens new ones). */
export async function closeDatabase(): Promise<void> {
  const pool = g.__trisightPool;
  const client = g.__trisightPrisma;
  g.__trisightPool = undefined;
  g.__trisightPrisma = undefined;
  await Promise.all([pool?.end(), client?.$disconnect()]);
}
