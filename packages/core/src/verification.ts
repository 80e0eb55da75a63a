import { type TwoFactor } from './api.js';
import { randomId } from './crypto.js';
import { type Engine, once, throwIfLocked } from './engine.js';
import { TwoFactorError } from './errors.js';
import { type AnyMethod } from './methods/types.js';
import { type VerifyError } from './outcomes.js';
import { keys, successResets, userAttemptRules } from './rate-limit.js';
import { type ChallengeValue } from './sealed.js';
import { type AuthenticatorRecord, type RateRule, type Settle } from './store.js';
import { assertId, assertMethodId, assertUserId, optionsObject } from './validate.js';

/** Signing in with a second factor: open a challenge (send a code), verify an answer. */
export function verificationApi(e: Engine): Pick<TwoFactor, 'challenge' | 'verify'> {
  const { store, clock, random, policy, methods, ordered, events, sealer, outcomes, method, activeOf, context, openAll, refresh, readState, checkAnswer, abandonQuietly, withProof, tryOpenChallenge } = e;
  return {
    async challenge(userId, opts) {
      assertUserId(userId);
      const o = optionsObject(opts, 'challenge options');
      if (o.method !== undefined) assertMethodId(o.method);
      if (o.authenticatorId !== undefined) assertId(o.authenticatorId, 'authenticatorId');
      const now = clock.now();
      const { list, lock } = await readState(userId, now);
      const usable = list.filter((a) => a.status === 'active' && methods.get(a.method)?.isAvailable());
      let m: AnyMethod;
      let candidates: AuthenticatorRecord[];
      if (o.authenticatorId !== undefined) {
        const a = usable.find((x) => x.id === o.authenticatorId);
        if (!a) throw new TwoFactorError('not_enrolled', { message: 'The user has no such active authenticator.' });
        if (o.method !== undefined && o.method !== a.method) throw new TwoFactorError('invalid_input', { message: 'authenticatorId belongs to another method.' });
        m = method(a.method);
        candidates = [a];
      } else if (o.method !== undefined) {
        m = method(o.method);
        if (!m.isAvailable()) throw new TwoFactorError('method_unavailable');
        candidates = activeOf(usable, m.id);
        if (candidates.length === 0) throw new TwoFactorError('not_enrolled', { message: `The user has no active '${m.id}' authenticator.` });
      } else {
        // The first primary method the user has, else a backup.
        const pick = ordered.find((x) => x.role === 'primary' && activeOf(usable, x.id).length > 0) ?? ordered.find((x) => activeOf(usable, x.id).length > 0);
        if (!pick) throw new TwoFactorError('not_enrolled', { message: 'The user has no second factor enrolled.' });
        m = pick;
        candidates = activeOf(usable, m.id);
      }
      throwIfLocked(lock(m.role));
      const opened = openAll(candidates);
      if (opened.length === 0) throw new TwoFactorError('decrypt_failed');
      const chKey = keys.challenge(m.id);
      const previous = once(async () => {
        const prev = await store.takeRecord(userId, chKey, now);
        const value = prev ? tryOpenChallenge(userId, prev) : undefined;
        if (value) await abandonQuietly(m, userId, now, value.state);
        return value?.expiresAt;
      });
      const start = await m.challenge(context(userId, now, { replacePrevious: previous.run }, m), opened.map((x) => x.auth), { ...(o.channel !== undefined ? { channel: o.channel } : {}), ...(o.locale !== undefined ? { locale: o.locale } : {}) });
      const id = `${m.id}.${randomId(random)}`;
      const expiresAt = start.expiresAt ?? now + policy.challengeTtlSeconds * 1000;
      // The one the app asked for, or the one the method picked: only its answer counts.
      const chosen = start.authenticatorId ?? o.authenticatorId;
      const value: ChallengeValue = { id, method: m.id, ...(chosen ? { authenticatorId: chosen } : {}), state: start.state, expiresAt };
      // One open challenge per method: this replaces the last, and its code is cancelled.
      const replaced = await store.putRecord(userId, chKey, sealer.sealChallenge(userId, value), expiresAt, now);
      if (replaced && !previous.done()) {
        const old = tryOpenChallenge(userId, replaced);
        if (old) await abandonQuietly(m, userId, now, old.state);
      }
      if (start.channel) {
        events.emit('verification.sent', { userId, method: m.id, ...(chosen ? { authenticatorId: chosen } : {}), channel: start.channel, ...(start.destination ? { destination: start.destination } : {}), purpose: 'challenge', at: now });
      }
      return {
        ...start.output,
        id,
        method: m.id,
        expiresAt,
        ...(chosen ? { authenticatorId: chosen } : {}),
        ...(start.channel ? { channel: start.channel, resendAt: now + policy.resendAfterSeconds * 1000 } : {}),
        ...(start.destination ? { destination: start.destination } : {}),
      };
    },

    async verify(userId, input) {
      assertUserId(userId);
      if (input === null || typeof input !== 'object') throw new TwoFactorError('invalid_input', { message: 'verify input must be an object.' });
      const answer = 'response' in input && input.response !== undefined ? input.response : input.code;
      if (answer === undefined) throw new TwoFactorError('invalid_input', { message: 'verify needs a code (or a response).' });
      const challengeId = 'challengeId' in input ? input.challengeId : undefined;
      let m: AnyMethod;
      if (challengeId !== undefined) {
        assertId(challengeId, 'challengeId');
        const named = methods.get(challengeId.slice(0, Math.max(0, challengeId.indexOf('.'))));
        // Not one of ours (or from before an upgrade): nothing to count or compare against.
        if (!named) return outcomes.failure({ userId, purpose: 'challenge', method: undefined, error: 'expired', rules: [], gate: { allowed: false, counts: [], resetAt: [] }, now: clock.now() });
        m = named;
      } else {
        const id = 'method' in input ? input.method : undefined;
        if (id === undefined) throw new TwoFactorError('invalid_input', { message: 'verify needs a challengeId or a method.' });
        assertMethodId(id);
        m = method(id);
        // Code-sending methods need their challenge: the code belongs to it.
        if (m.needsChallenge) throw new TwoFactorError('invalid_input', { message: `Verifying '${m.id}' needs the challengeId from challenge().` });
      }
      checkAnswer(m, answer);
      const now = clock.now();
      const chKey = challengeId !== undefined ? keys.challenge(m.id) : undefined;
      const rules: RateRule[] = [
        ...(challengeId !== undefined ? [{ key: keys.challengeAttempts(challengeId), limit: policy.maxAttempts, windowSeconds: policy.challengeTtlSeconds }] : []),
        ...userAttemptRules(policy, m.role),
      ];
      const settle: Settle = { reset: successResets, ...(chKey ? { drop: [chKey] } : {}) };

      // One round trip: count the attempt and use the code, when the code alone says what to use.
      if (!chKey && m.consumableFor) {
        const what = m.consumableFor(context(userId, now), answer);
        const gate = await store.hit(userId, rules, now, { load: { authenticators: true }, ...(what ? { consume: what, settle } : {}) });
        const auth = activeOf(gate.authenticators ?? [], m.id)[0];
        if (!gate.allowed) return outcomes.failure({ userId, purpose: 'challenge', method: m.id, error: outcomes.refused(rules, gate.counts), rules, gate, now });
        if (gate.consumed && auth) {
          outcomes.succeeded({ userId, method: m.id, authenticatorId: auth.id, purpose: 'challenge', rules, gate, now });
          return withProof(userId, { ok: true, method: m.id, authenticatorId: auth.id }, now);
        }
        if (!auth) throw new TwoFactorError('not_enrolled', { message: `The user has no active '${m.id}' authenticator.` });
        return outcomes.failure({ userId, purpose: 'challenge', method: m.id, error: 'invalid_code', rules, gate, now });
      }

      // Round trip 1: count the attempt (before any comparison) and load what the check needs.
      const gate = await store.hit(userId, rules, now, { load: { authenticators: true, ...(chKey ? { record: chKey } : {}) } });
      const fail = (error: VerifyError) => outcomes.failure({ userId, purpose: 'challenge', method: m.id, error, rules, gate, now });
      if (!gate.allowed) return fail(outcomes.refused(rules, gate.counts));
      let challenge: ChallengeValue | undefined;
      if (chKey) {
        challenge = gate.record ? sealer.openChallenge(userId, gate.record, challengeId) : undefined;
        if (!challenge || challenge.expiresAt <= now) return fail('expired');
      }
      const list = gate.authenticators ?? [];
      const records = challenge?.authenticatorId ? list.filter((a) => a.id === challenge.authenticatorId && a.status === 'active') : activeOf(list, m.id);
      if (records.length === 0) {
        if (challenge) return fail('expired'); // the authenticator was removed while the challenge was open
        throw new TwoFactorError('not_enrolled', { message: `The user has no active '${m.id}' authenticator.` });
      }
      const opened = openAll(records);
      if (opened.length === 0) throw new TwoFactorError('decrypt_failed');
      // Round trip 2 (on success): the method consumes its one-time thing and settles.
      const result = await m.check(context(userId, now, { settle, ...(chKey ? { challengeKey: chKey } : {}) }, m), opened.map((x) => x.auth), answer, challenge?.state);
      if (result.outcome === 'approved') {
        outcomes.succeeded({ userId, method: m.id, authenticatorId: result.authenticatorId, purpose: 'challenge', rules, gate, now });
        await refresh(opened.find((x) => x.auth.record.id === result.authenticatorId), now);
        return withProof(userId, { ok: true, method: m.id, authenticatorId: result.authenticatorId, ...(result.userVerified !== undefined ? { userVerified: result.userVerified } : {}) }, now);
      }
      // A challenge that cannot succeed any more is closed, and an exhausted one's code is
      // cancelled at the provider, so no live code outlives the attempts it was allowed.
      const exhausted = challengeId !== undefined && gate.counts[0]! >= rules[0]!.limit;
      if (chKey && challenge && (result.outcome !== 'invalid' || exhausted)) {
        const taken = await store.consume(userId, { record: chKey }, now);
        if (taken && result.outcome === 'invalid') await abandonQuietly(m, userId, now, challenge.state);
      }
      return fail(outcomes.error(result.outcome));
    },
  };
}
