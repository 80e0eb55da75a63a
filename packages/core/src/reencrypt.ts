import { KeyRing } from './crypto.js';
import { TwoFactorError } from './errors.js';
import { systemRandom } from './clock.js';
import type { Store } from './store.js';

/**
 * Writes every authenticator secret of one user again with the newest key, in the bound
 * format, when it is stale (an older key, or the unbound v1 format of twofa 0.1). Each
 * write is a compare-and-set, so a record changed or removed meanwhile is left alone.
 */
export async function reencryptUser(store: Store, keys: KeyRing, userId: string, warn: (m: string) => void = () => {}): Promise<{ updated: number; unreadable: number }> {
  let updated = 0;
  let unreadable = 0;
  for (const a of await store.getAuthenticators(userId)) {
    const to = { purpose: 'authenticator', userId, recordId: a.id };
    let opened;
    try {
      opened = keys.decrypt(a.secret, to);
    } catch (e) {
      if (!(e instanceof TwoFactorError)) throw e;
      unreadable++;
      warn(`twofa: authenticator ${a.id} of a user could not be opened with any configured key.`);
      continue;
    }
    if (!opened.stale) continue;
    if (await store.updateAuthenticator({ ...a, secret: keys.encrypt(opened.plaintext, to) }, a.secret)) updated++;
  }
  return { updated, unreadable };
}

/** Options of `reencryptStore()`. */
export interface ReencryptOptions {
  store: Store;
  /** The same key list the app uses, newest first. */
  encryptionKeys: readonly string[];
  /** Called after each user. */
  onProgress?: (done: { users: number; updated: number; unreadable: number }) => void;
}

/**
 * The one-shot upgrade: re-encrypts every user's secrets (see reencryptUser), for a store
 * that can list its users (`Store.users`). Run it after deploying twofa 0.2, and after
 * adding a new key, then retire the old key or set legacyCiphertexts: 'refuse'.
 */
export async function reencryptStore(options: ReencryptOptions): Promise<{ users: number; updated: number; unreadable: number }> {
  const { store, encryptionKeys } = options;
  if (!store || typeof store.users !== 'function') throw new TwoFactorError('config_invalid', { message: 'This store cannot list its users (Store.users); re-encrypt with twofa.reencrypt(userId) per user.' });
  if (!Array.isArray(encryptionKeys) || encryptionKeys.length === 0) throw new TwoFactorError('encryption_key_missing');
  const keys = new KeyRing(encryptionKeys, systemRandom, 'accept');
  const total = { users: 0, updated: 0, unreadable: 0 };
  for await (const userId of store.users()) {
    const r = await reencryptUser(store, keys, userId);
    total.users++;
    total.updated += r.updated;
    total.unreadable += r.unreadable;
    options.onProgress?.({ ...total });
  }
  return total;
}
