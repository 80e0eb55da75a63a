#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { reencryptStore } from '@twofa/core';
import { redisStore } from './redis-store.js';

const usage = `Usage: twofa-redis reencrypt [--url <redis url>] [--prefix <key prefix>]
  Writes every stale secret (0.1's format, an older key) again with the newest key.
  --url     defaults to $REDIS_URL
  --prefix  defaults to $TWOFA_REDIS_PREFIX or 'twofa:'
  The keys are read from $TWOFA_ENCRYPTION_KEYS: the app's encryptionKeys, comma-separated, newest first.`;

/** `twofa-redis reencrypt`: run it after upgrading from 0.1, and after adding a key. */
export async function main(argv: string[]): Promise<number> {
  let url: string | undefined;
  let prefix: string;
  const keys = (process.env.TWOFA_ENCRYPTION_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { url: { type: 'string' }, prefix: { type: 'string' } }, allowPositionals: true });
    if (positionals.join(' ') !== 'reencrypt') throw new Error('');
    url = values.url ?? process.env.REDIS_URL;
    prefix = values.prefix ?? process.env.TWOFA_REDIS_PREFIX ?? 'twofa:';
    if (!url) throw new Error('No Redis: pass --url or set REDIS_URL.');
    if (keys.length === 0) throw new Error('No keys: set TWOFA_ENCRYPTION_KEYS.');
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}\n`.trimStart());
    return 2;
  }
  const store = redisStore({ url, prefix });
  try {
    const done = await reencryptStore({ store, encryptionKeys: keys, onProgress: (p) => p.users % 1000 === 0 && process.stderr.write(`${p.users} users…\n`) });
    process.stdout.write(`Re-encrypted ${done.updated} secrets of ${done.users} users${done.unreadable ? `; ${done.unreadable} could not be opened with these keys` : ''}.\n`);
    return done.unreadable ? 1 : 0;
  } catch (e) {
    // The message only: never the URL (it may hold a password) nor a key.
    process.stderr.write(`Re-encryption failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
