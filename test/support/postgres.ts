// A real PostgreSQL for the hub-store tests: a throwaway cluster per test file (unix socket in a temp dir), or a
// clear skip where Debian's postgresql binaries are absent.
import { type DevPostgres, postgresBinDir, startDevPostgres } from '../../src/adapters/hub-store/dev-postgres.js';

export const POSTGRES_PRESENT = postgresBinDir() !== undefined;

if (!POSTGRES_PRESENT)
  console.warn('skipped: PostgreSQL tests (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)');

export async function startTestPostgres(): Promise<DevPostgres> {
  return startDevPostgres({ fsync: false });
}

/** A fresh, empty database in the cluster: one per test keeps tests independent. */
export async function freshDatabase(pg: DevPostgres, name: string): Promise<string> {
  const { default: pgLib } = await import('pg');
  const c = new pgLib.Client({ connectionString: pg.url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
  return pg.url.replace('/postgres?', `/${name}?`);
}
