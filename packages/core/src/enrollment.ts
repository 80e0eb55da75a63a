import { type Enrollment, type TwoFactor } from './api.js';
import { randomId } from './crypto.js';
import { type Engine, once, throwIfLocked } from './engine.js';
import { TwoFactorError } from './errors.js';
import { type CheckOutcome, type Confirmed } from './methods/types.js';
import { type VerifyError } from './outcomes.js';
import { keys, successResets, userAttemptRules } from './rate-limit.js';
import { type AuthenticatorRecord, type RateRule } from './store.js';
import { assertId, assertMethodId, assertText, assertUserId, optionsObject } from './validate.js';

/** Enrolling: new authenticators (enroll, confirm), the backup set, and taking over authenticators enrolled elsewhere. */
export function enrollmentApi(e: Engine): Pick<TwoFactor, 'confirmEnrollment' | 'regenerateRecoveryCodes' | 'importAuthenticator'> & { enroll(userId: string, method: string, input?: Record<string, unknown>): Promise<Enrollment> } {
  const { store, clock, random, policy, methods, backup, events, sealer, outcomes, method, roleOf, activeOf, context, openAll, readState, ensureBackup, checkAnswer, abandonQuietly } = e;
  return {
    async enroll(userId: string, methodId: string, input?: Record<string, unknown>): Promise<Enrollment> {
      assertUserId(userId);
      assertMethodId(methodId);
      const given = optionsObject(input, 'enroll input');
      if (given.name !== undefined) assertText(given.name, 'name', 64);
      const m = method(methodId);
      if (m.role !== 'primary' || !m.enroll) throw new TwoFactorError('backup_only', { message: 'Backup methods come with the first primary method.' });
      if (!m.isAvailable()) throw new TwoFactorError('method_unavailable');
      const now = clock.now();
      const { list, lock } = await readState(userId, now);
      throwIfLocked(lock('primary'));
      if (activeOf(list, m.id).length >= m.maxPerUser) throw new TwoFactorError('authenticator_limit');
      // One pending enrollment per method: a new one replaces it (and cancels its code).
      const stale = list.filter((a) => a.method === m.id && a.status === 'pending');
      const previous = once(async () => {
        let until: number | undefined;
        for (const o of openAll(stale)) {
          await abandonQuietly(m, userId, now, o.auth.config);
          if (o.exp !== undefined && o.exp > now) until = Math.max(until ?? 0, o.exp);
        }
        return until;
      });
      const existing = openAll(activeOf(list, m.id)).map((o) => o.auth);
      const start = await m.enroll(context(userId, now, { replacePrevious: previous.run }, m), given, existing);
      await previous.run();
      if (!(start.ttlSeconds > 0)) throw new TwoFactorError('config_invalid', { message: `Method '${m.id}' gave an enrollment without a lifetime.` });
      const id = randomId(random);
      const expiresAt = now + start.ttlSeconds * 1000;
      const name = given.name as string | undefined;
      await store.saveAuthenticator(
        {
          userId,
          id,
          method: m.id,
          status: 'pending',
          ...(name !== undefined ? { name } : {}),
          secret: sealer.sealConfig(userId, id, start.config, expiresAt),
          ...(start.display ? { display: start.display } : {}),
          createdAt: now,
        },
        stale.map((a) => a.id),
      );
      if (start.sent) {
        events.emit('verification.sent', { userId, method: m.id, authenticatorId: id, channel: start.sent.channel, ...(start.sent.destination ? { destination: start.sent.destination } : {}), purpose: 'enroll', at: now });
      }
      return { ...start.output, id, method: m.id, ...(name !== undefined ? { name } : {}), expiresAt };
    },

    async confirmEnrollment(userId, enrollmentId, answer) {
      assertUserId(userId);
      assertId(enrollmentId, 'enrollmentId');
      if (typeof answer !== 'string' && (answer === null || typeof answer !== 'object')) throw new TwoFactorError('invalid_input', { message: 'The answer must be a code (string) or a response object.' });
      const now = clock.now();
      const rules: RateRule[] = [
        { key: keys.enrollAttempts(enrollmentId), limit: policy.maxAttempts, windowSeconds: policy.lockoutSeconds },
        ...userAttemptRules(policy, 'primary'),
      ];
      const gate = await store.hit(userId, rules, now, { load: { authenticators: true } });
      const list = gate.authenticators ?? [];
      const pending = list.find((a) => a.id === enrollmentId && a.status === 'pending');
      const m = pending ? methods.get(pending.method) : undefined;
      const fail = (error: VerifyError) => outcomes.failure({ userId, purpose: 'enroll', method: m?.id, error, rules, gate, now });
      if (!gate.allowed) return fail(outcomes.refused(rules, gate.counts));
      if (!pending || !m?.confirm) throw new TwoFactorError('no_pending_enrollment');
      checkAnswer(m, answer);
      const opened = sealer.open(pending);
      if (!opened) throw new TwoFactorError('decrypt_failed');
      // A failed confirmation deletes nothing: a parallel call with the right code may have
      // just activated this very record. A dead pending record goes with the next enroll().
      if (opened.exp !== undefined && opened.exp <= now) return fail('expired');
      const confirmed: CheckOutcome | Confirmed = await m.confirm(context(userId, now, { settle: { reset: successResets } }, m), opened.auth, answer);
      const outcome = typeof confirmed === 'string' ? confirmed : confirmed.outcome;
      if (outcome !== 'approved') return fail(outcomes.error(outcome));
      const learned: Partial<Confirmed> = typeof confirmed === 'string' ? {} : confirmed;
      const display = learned.display ?? pending.display;
      const activated: AuthenticatorRecord = {
        ...pending,
        status: 'active',
        secret: sealer.sealConfig(userId, pending.id, learned.config ?? opened.auth.config),
        ...(display ? { display } : {}),
        confirmedAt: now,
        lastUsedAt: now,
      };
      // Compare and set: a pending record removed meanwhile stays removed.
      if (!(await store.updateAuthenticator(activated, pending.secret))) return fail('expired');
      await store.resetCounters(userId, [keys.enrollAttempts(enrollmentId)]);
      outcomes.succeeded({ userId, method: m.id, authenticatorId: pending.id, purpose: 'enroll', rules, gate, now });
      events.emit('authenticator.enrolled', { userId, method: m.id, authenticatorId: pending.id, at: now });
      const recoveryCodes = await ensureBackup(userId, now, list, { once: true });
      return { ok: true, method: m.id, authenticatorId: pending.id, ...(recoveryCodes ? { recoveryCodes } : {}) };
    },

    async regenerateRecoveryCodes(userId) {
      assertUserId(userId);
      if (!backup?.provision) throw new TwoFactorError('unknown_method', { message: 'recoveryCodes() is not configured.' });
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      if (!list.some((a) => a.status === 'active' && roleOf(a) === 'primary')) {
        throw new TwoFactorError('backup_only', { message: 'Enroll a primary method before recovery codes.' });
      }
      return (await ensureBackup(userId, now, list)) ?? backup.provision(context(userId, now));
    },

    async importAuthenticator(userId, input) {
      assertUserId(userId);
      const i = optionsObject(input, 'importAuthenticator input');
      assertMethodId(i.method);
      const m = method(i.method);
      if (!m.adopt) throw new TwoFactorError('invalid_input', { message: `The ${m.id} method cannot import authenticators.` });
      if (i.name !== undefined) assertText(i.name, 'name', 64);
      const last = i.lastUsedStep;
      if (last !== undefined && (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0)) throw new TwoFactorError('invalid_input', { message: 'lastUsedStep must be a non-negative integer.' });
      const now = clock.now();
      const created = i.createdAt ?? now;
      if (typeof created !== 'number' || !Number.isFinite(created) || created > now) throw new TwoFactorError('invalid_input', { message: 'createdAt must be a time in the past, epoch ms.' });
      const list = await store.getAuthenticators(userId);
      const mine = activeOf(list, m.id);
      if (m.role === 'primary' && mine.length >= m.maxPerUser) throw new TwoFactorError('authenticator_limit');
      const adopted = await m.adopt(context(userId, now, {}, m), i.data);
      // A backup is one set per user: importing codes replaces the set and keeps its record.
      const set = m.role === 'backup' ? mine[0] : undefined;
      const id = set?.id ?? randomId(random);
      if (!set) {
        await store.saveAuthenticator({
          userId,
          id,
          method: m.id,
          status: 'active',
          ...(i.name !== undefined ? { name: i.name } : {}),
          secret: sealer.sealConfig(userId, id, adopted.config),
          ...(adopted.display ? { display: adopted.display } : {}),
          createdAt: created,
          confirmedAt: now,
        });
        if (last !== undefined) await store.consume(userId, { counter: { authenticatorId: id, value: last } }, now);
        events.emit('authenticator.enrolled', { userId, method: m.id, authenticatorId: id, at: now });
      }
      return { authenticatorId: id };
    },
  };
}
