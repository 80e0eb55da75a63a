import { type AuthenticatorInfo, type TwoFactor } from './api.js';
import type { Engine } from './engine.js';
import { TwoFactorError } from './errors.js';
import { keys } from './rate-limit.js';
import { assertId, assertText, assertUserId } from './validate.js';

/** The user's authenticators: list, rename, remove; the configured methods. */
export function authenticatorsApi(e: Engine): Pick<TwoFactor, 'methods' | 'availableMethods' | 'rename' | 'remove'> {
  const { store, clock, methods, ordered, events, sealer, roleOf, context, abandonQuietly } = e;
  return {
    async methods(userId) {
      assertUserId(userId);
      const now = clock.now();
      const out: (AuthenticatorInfo & { order: number })[] = [];
      for (const a of await store.getAuthenticators(userId)) {
        const m = methods.get(a.method);
        if (!m) continue; // a method no longer configured
        const opened = sealer.open(a);
        if (opened && a.status === 'pending' && opened.exp !== undefined && opened.exp <= now) continue;
        const info: AuthenticatorInfo & { order: number } = {
          id: a.id,
          method: a.method,
          order: m.order,
          ...(a.name !== undefined ? { name: a.name } : {}),
          status: opened ? a.status : 'unreadable',
          isBackup: m.role === 'backup',
          display: a.display ?? {},
          createdAt: a.createdAt,
          ...(a.confirmedAt !== undefined ? { confirmedAt: a.confirmedAt } : {}),
          ...(a.lastUsedAt !== undefined ? { lastUsedAt: a.lastUsedAt } : {}),
        };
        if (opened && a.status === 'active' && m.describe) {
          const d = await m.describe(context(userId, now), a);
          if (d.remaining !== undefined) info.remaining = d.remaining;
          if (d.lastUsedAt !== undefined && (info.lastUsedAt ?? 0) < d.lastUsedAt) info.lastUsedAt = d.lastUsedAt;
        }
        out.push(info);
      }
      return out.sort((a, b) => a.order - b.order || a.createdAt - b.createdAt).map(({ order: _order, ...info }) => info);
    },

    availableMethods() {
      return ordered.map((m) => ({ method: m.id, isBackup: m.role === 'backup', needsChallenge: m.needsChallenge, available: m.isAvailable(), maxPerUser: m.maxPerUser }));
    },

    async rename(userId, authenticatorId, name) {
      assertUserId(userId);
      assertId(authenticatorId, 'authenticatorId');
      assertText(name, 'name', 64);
      const a = (await store.getAuthenticators(userId)).find((x) => x.id === authenticatorId);
      if (!a) throw new TwoFactorError('not_enrolled', { message: 'The user has no such authenticator.' });
      if (!(await store.updateAuthenticator({ ...a, name }, a.secret))) throw new TwoFactorError('not_enrolled', { message: 'The authenticator changed meanwhile; try again.' });
    },

    async remove(userId, authenticatorId) {
      assertUserId(userId);
      assertId(authenticatorId, 'authenticatorId');
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      const target = list.find((a) => a.id === authenticatorId);
      if (!target) return { removed: [] };
      const gone = [target];
      const primaryLeft = list.some((a) => a.id !== target.id && a.status === 'active' && roleOf(a) === 'primary');
      if (roleOf(target) !== 'backup' && !primaryLeft) gone.push(...list.filter((a) => roleOf(a) === 'backup'));
      for (const a of gone) {
        const m = methods.get(a.method);
        if (!m) continue;
        // What a method keeps elsewhere goes first, so a crash in between leaves a record without codes, never codes without a record.
        await m.remove?.(context(userId, now), a);
        if (roleOf(a) === 'backup') await store.resetCounters(userId, [keys.backupInit]); // the next first method gets a new set at once
        if (a.status === 'pending') {
          const o = sealer.open(a);
          if (o) await abandonQuietly(m, userId, now, o.auth.config);
        }
      }
      await store.deleteAuthenticators(userId, gone.map((a) => a.id));
      for (const a of gone) events.emit('authenticator.removed', { userId, method: a.method, authenticatorId: a.id, at: now });
      return { removed: gone.map((a) => a.id) };
    },
  };
}
