#!/usr/bin/env node
import pg from 'pg';
import { migrate } from './migrations.js';

const usage = `Usage: twofa-postgres migrate [--url <connection string>] [--schema <name>]
  --url     defaults to $DATABASE_URL
  --schema  defaults to $TWOFA_SCHEMA or 'twofa'`;

/** `twofa-postgres migrate`: applies pending migrations (safe to run from several deploys at once). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const opt = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (command !== 'migrate') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const connectionString = opt('url') ?? process.env.DATABASE_URL;
  const schema = opt('schema') ?? process.env.TWOFA_SCHEMA ?? 'twofa';
  if (!connectionString) {
    process.stderr.write(`No database: pass --url or set DATABASE_URL.\n${usage}\n`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString, max: 1 });
  try {
    const applied = await migrate(pool, schema);
    process.stdout.write(applied.length ? `Applied migrations ${applied.join(', ')} to schema ${schema}.\n` : `Schema ${schema} is up to date.\n`);
    return 0;
  } catch (e) {
    // The message only: a connection string (with its password) must not reach the log.
    process.stderr.write(`Migration failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
