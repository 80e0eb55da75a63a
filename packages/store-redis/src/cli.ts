#!/usr/bin/env node
import { reencryptStore } from '@twofa/core';
import { redisStore } from './redis-store.js';

const usage = `Usage: twofa-redis reencrypt [--url <redis url>] [--prefix <key prefix>]
  --url     defaults to $REDIS_URL
  --prefix  defaults to $TWOFA_REDIS_PREFIX or 'twofa:'
  The keys are read from $TWOFA_ENCRYPTION_KEYS: the app's encryptionKeys, comma-separated, newest first.`;

/**
 * `twofa-redis reencrypt`: writes every secret that is stale (0.1's unbound format, or an
 * older key) again with the newest key. Run it after upgrading from 0.1 and after adding a key.
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const opt = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const url = opt('url') ?? process.env.REDIS_URL;
  const keys = (process.env.TWOFA_ENCRYPTION_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const missing = command !== 'reencrypt' ? '' : !url ? 'No Redis: pass --url or set REDIS_URL.\n' : keys.length === 0 ? 'No keys: set TWOFA_ENCRYPTION_KEYS.\n' : undefined;
  if (missing !== undefined) {
    process.stderr.write(`${missing}${usage}\n`);
    return 2;
  }
  const store = redisStore({ url: url!, prefix: opt('prefix') ?? process.env.TWOFA_REDIS_PREFIX ?? 'twofa:' });
  try {
    const done = await reencryptStore({
      store,
      encryptionKeys: keys,
      onProgress: (p) => p.users % 1000 === 0 && process.stderr.write(`${p.users} users, ${p.updated} secrets re-encrypted\n`),
    });
    const unreadable = done.unreadable ? `; ${done.unreadable} could not be opened with these keys` : '';
    process.stdout.write(`Re-encrypted ${done.updated} secrets of ${done.users} users${unreadable}.\n`);
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
