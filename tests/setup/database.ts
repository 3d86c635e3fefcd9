import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database inside the run's PostgreSQL server (see global-setup.ts), so test files never see each
 * other's rows. Returns its URL and a drop function for afterAll.
 */
export async function createTestDatabase(adminUrl: string, label = 'test'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `ioc_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
