import { type TwoFactor } from './api.js';
import { type Engine } from './engine.js';
import { TwoFactorError } from './errors.js';
import { FOREVER_SECONDS, keys, lockCounters } from './rate-limit.js';
import { reencryptUser } from './reencrypt.js';
import { type RequirementRecord } from './requirement.js';
import { readProof } from './step-up.js';
import { assertText, assertUserId, optionsObject } from './validate.js';

/** What operators and support need: unlock, re-encrypt, step-up freshness, required 2FA, admin reset. */
export function operatorsApi(e: Engine): Pick<TwoFactor, 'unlock' | 'reencrypt' | 'isFresh' | 'requirement' | 'reset'> {
  const { store, keyRing, clock, logger, required, methods, events, sealer, roleOf, abandonQuietly, tryOpenChallenge } = e;
  return {
    async unlock(userId) {
      assertUserId(userId);
      await store.resetCounters(userId, lockCounters);
      events.emit('user.unlocked', { userId, at: clock.now() });
    },

    async reencrypt(userId) {
      assertUserId(userId);
      return reencryptUser(store, keyRing, userId, (e) => logger.warn(e));
    },

    async isFresh(proof, opts) {
      const o = optionsObject(opts, 'isFresh options');
      assertUserId(o.userId);
      const maxAge = o.maxAgeSeconds;
      if (typeof maxAge !== 'number' || !(maxAge > 0) || maxAge > 86_400) throw new TwoFactorError('invalid_input', { message: 'maxAgeSeconds must be more than 0 and at most 86400.' });
      if (o.methods !== undefined && (!Array.isArray(o.methods) || !o.methods.every((x) => typeof x === 'string'))) {
        throw new TwoFactorError('invalid_input', { message: 'methods must be an array of method ids.' });
      }
      const p = readProof(keyRing, o.userId, proof);
      const now = clock.now();
      if (!p || p.verifiedAt > now || now - p.verifiedAt > maxAge * 1000) return false;
      if (o.methods && !o.methods.includes(p.method)) return false;
      // A proof from an authenticator removed since (or replaced) proves nothing any more.
      return (await store.getAuthenticators(o.userId)).some((a) => a.id === p.authenticatorId && a.method === p.method && a.status === 'active');
    },

    async requirement(userId, opts) {
      assertUserId(userId);
      const o = optionsObject(opts, 'requirement options');
      if (typeof o.required !== 'boolean') throw new TwoFactorError('invalid_input', { message: 'required must be true or false.' });
      if (o.record !== undefined && typeof o.record !== 'boolean') throw new TwoFactorError('invalid_input', { message: 'record must be true or false.' });
      const record = o.record ?? true;
      const now = clock.now();
      const read = await store.hit(userId, [], now, { load: { authenticators: true, record: keys.requirement } });
      if (!o.required) {
        if (read.record && record) await store.takeRecord(userId, keys.requirement, now);
        return { state: 'not_required' };
      }
      if ((read.authenticators ?? []).some((a) => a.status === 'active' && roleOf(a) === 'primary')) return { state: 'enrolled' };
      let rec: RequirementRecord | undefined;
      try {
        rec = read.record ? (JSON.parse(read.record) as RequirementRecord) : undefined;
      } catch {
        rec = undefined;
      }
      const put = (r: RequirementRecord) => store.putRecord(userId, keys.requirement, JSON.stringify(r), now + FOREVER_SECONDS * 1000, now);
      if (!rec || typeof rec.since !== 'number') {
        rec = { since: now };
        if (!record) return { state: 'grace', since: now, until: now + required.graceMs }; // as it would start now
        await put(rec);
        events.emit('requirement.grace_started', { userId, until: now + required.graceMs, at: now });
      }
      const until = rec.since + required.graceMs;
      if (now < until) return { state: 'grace', since: rec.since, until };
      if (rec.overdueAt === undefined && record) {
        await put({ ...rec, overdueAt: now });
        events.emit('requirement.overdue', { userId, since: rec.since, at: now });
      }
      return { state: 'overdue', since: rec.since, until, mayEnroll: required.overdue === 'enroll' };
    },

    async reset(userId, opts) {
      assertUserId(userId);
      const o = optionsObject(opts, 'reset options');
      assertText(o.actor, 'actor', 200);
      assertText(o.reason, 'reason', 500);
      const now = clock.now();
      // Best effort first: cancel codes still open at a provider. Then one atomic purge.
      const [list, open] = await Promise.all([store.getAuthenticators(userId), store.listRecords(userId, keys.challengePrefix, now)]);
      for (const r of open) {
        const value = tryOpenChallenge(userId, r.value);
        const m = value && methods.get(value.method);
        if (m && value) await abandonQuietly(m, userId, now, value.state);
      }
      for (const a of list.filter((x) => x.status === 'pending')) {
        const m = methods.get(a.method);
        const opened = m && sealer.open(a);
        if (m && opened) await abandonQuietly(m, userId, now, opened.auth.config);
      }
      await store.purge(userId);
      events.emit('admin.reset', { userId, actor: o.actor, reason: o.reason, at: now });
    },
  };
}
