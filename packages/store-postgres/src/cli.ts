#!/usr/bin/env node
import { parseArgs } from 'node:util';
import pg from 'pg';
import { reencryptStore } from '@twofa/core';
import { migrate } from './migrations.js';
import { postgresStore } from './postgres-store.js';

const usage = `Usage: twofa-postgres migrate|reencrypt [--url <connection string>] [--schema <name>]
  migrate    applies pending migrations (safe to run from several deploys at once)
  reencrypt  writes every stale secret (0.1's format, an older key) again with the newest key;
             the keys are read from $TWOFA_ENCRYPTION_KEYS: the app's encryptionKeys, comma-separated, newest first
  --url     defaults to $DATABASE_URL
  --schema  defaults to $TWOFA_SCHEMA or 'twofa'`;

type Command = (pool: pg.Pool, schema: string, keys: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  async migrate(pool, schema) {
    const applied = await migrate(pool, schema);
    process.stdout.write(applied.length ? `Applied migrations ${applied.join(', ')} to schema ${schema}.\n` : `Schema ${schema} is up to date.\n`);
    return 0;
  },
  async reencrypt(pool, schema, keys) {
    const progress = (p: { users: number }) => p.users % 1000 === 0 && process.stderr.write(`${p.users} users…\n`);
    const done = await reencryptStore({ store: postgresStore({ pool, schema }), encryptionKeys: keys, onProgress: progress });
    const unreadable = done.unreadable ? `; ${done.unreadable} could not be opened with these keys` : '';
    process.stdout.write(`Re-encrypted ${done.updated} secrets of ${done.users} users${unreadable}.\n`);
    return done.unreadable ? 1 : 0;
  },
};

/** `twofa-postgres migrate` and `twofa-postgres reencrypt`. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { url: { type: 'string' }, schema: { type: 'string' } }, allowPositionals: true, strict: false });
  const name = positionals.join(' ');
  const run = Object.hasOwn(commands, name) ? commands[name] : undefined;
  const connectionString = typeof values.url === 'string' ? values.url : process.env.DATABASE_URL;
  const schema = typeof values.schema === 'string' ? values.schema : (process.env.TWOFA_SCHEMA ?? 'twofa');
  const keys = (process.env.TWOFA_ENCRYPTION_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const refused = !run ? '' : !connectionString ? 'No database: pass --url or set DATABASE_URL.\n' : name === 'reencrypt' && !keys.length ? 'No keys: set TWOFA_ENCRYPTION_KEYS.\n' : undefined;
  if (refused !== undefined) {
    process.stderr.write(`${refused}${usage}\n`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString, max: 1 });
  pool.on('error', () => {});
  try {
    return await run!(pool, schema, keys);
  } catch (e) {
    // The message only: a connection string (with its password) or a key must not reach the log.
    process.stderr.write(`${name === 'migrate' ? 'Migration' : 'Re-encryption'} failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
