import { context, createContextKey, type Attributes, type Span } from '@opentelemetry/api';
import { TwoFactorError, type TwoFactor, type TwoFactorEvents } from '@twofa/core';
import type { AnyMethod } from '@twofa/core/adapter';
import { Attr, EventNames, SpanNames } from './names.js';
import { overlay } from './overlay.js';
import { Telemetry, channelAttr, isObjectWith, oneOf, traced, type Hooks, type TelemetryOptions } from './telemetry.js';
import { checkHashKey, hashUserId, type HashUserIds } from './user-hash.js';

export interface TwoFactorTelemetryOptions extends TelemetryOptions {
  /**
   * Opt-in: add `twofa.user.hash` (a keyed hash of the user id, see hashUserId) to the
   * operation spans. Off by default: no user attribute at all. Never on metrics.
   */
  hashUserIds?: HashUserIds;
}

const VERIFY_ERRORS: ReadonlySet<string> = new Set(['invalid_code', 'expired', 'locked', 'max_attempts', 'suspended']);
const PURPOSES: ReadonlySet<string> = new Set(['enroll', 'challenge']);
const LOCK_REASONS: ReadonlySet<string> = new Set(['failures', 'hourly_cap']);
const SCOPES: ReadonlySet<string> = new Set(['primary', 'backup']);

/**
 * The operation in progress, in the context its call runs in. The manager emits its events
 * synchronously inside the call, so a listener finds the operation they belong to here and
 * adds what only the event says (the method of a failed confirmation, a lockout it began).
 */
const OPERATION = createContextKey('@twofa/opentelemetry operation');
interface Operation {
  owner: object;
  span: Span | undefined;
  /** The method as known so far; `given` is the one the span started with. */
  method: string | undefined;
  given: string | undefined;
}

// original manager → its instrumented twin; and the twins themselves.
const twins = new WeakMap<object, object>();
const made = new WeakSet<object>();

type Manager = TwoFactor<readonly AnyMethod[]>;

/**
 * The same TwoFactor, with enroll, confirmEnrollment, challenge, verify, remove and
 * regenerateRecoveryCodes each run in an active span (provider spans of an
 * instrumentVerifier/instrumentSender nest under it), and metrics from its events:
 * `twofa.verifications` and `twofa.lockouts`. Every other member is the original's.
 *
 * Instrumenting a manager twice returns the first wrapper (its events are counted once).
 */
export function instrumentTwoFactor<M extends readonly AnyMethod[]>(twofa: TwoFactor<M>, options?: TwoFactorTelemetryOptions): TwoFactor<M> {
  const fns = ['enroll', 'confirmEnrollment', 'challenge', 'verify', 'remove', 'regenerateRecoveryCodes', 'availableMethods', 'on'];
  if (!isObjectWith(twofa, fns)) {
    throw new TwoFactorError('config_invalid', { message: 'instrumentTwoFactor takes the manager createTwoFactor() returned.' });
  }
  if (made.has(twofa)) return twofa;
  const existing = twins.get(twofa);
  if (existing) return existing as TwoFactor<M>;

  const t = new Telemetry(options, 'instrumentTwoFactor');
  const key = options?.hashUserIds !== undefined ? checkHashKey(options.hashUserIds) : undefined;
  const m = twofa as unknown as Manager;
  const owner = {};
  // Method ids from the registry: an attribute never echoes what a caller typed.
  const known = new Set(m.availableMethods().map((x) => x.method));
  const methodOf = (id: unknown) => (typeof id === 'string' && known.has(id) ? id : undefined);

  function current(): Operation | undefined {
    const op = context.active().getValue(OPERATION) as Operation | undefined;
    return op?.owner === owner ? op : undefined;
  }

  /** Hooks made once per operation: the span's outcome and method, and a thrown verification counted. */
  function hooks<T>(result: (r: T, span: Span, op: Operation) => string, purpose?: 'enroll' | 'challenge'): Hooks<T, Operation> {
    return {
      context(ctx, op, span) {
        op.span = span;
        return ctx.setValue(OPERATION, op);
      },
      result,
      done(outcome, threw, span, op) {
        if (op.method !== op.given) span.setAttribute(Attr.method, op.method!);
        // A verification that threw (not_enrolled, a provider outage at check, ...) is counted too, with its code.
        if (threw && purpose) t.instruments.verifications.add(op.method, purpose, outcome);
      },
    };
  }

  function operation<T>(name: string, userId: unknown, method: string | undefined, call: () => Promise<T>, how: Hooks<T, Operation>): Promise<T> {
    const attributes: Attributes = {};
    if (method) attributes[Attr.method] = method;
    if (key !== undefined && typeof userId === 'string' && userId.length <= 256) attributes[Attr.userHash] = hashUserId(userId, key);
    return traced(t.tracer, name, attributes, { owner, span: undefined, method, given: method }, call, how);
  }

  /** A verification result: 'ok', or its error with the attempts left. */
  function judged(r: { ok: true; method: string } | { ok: false; error: string; attemptsLeft: number }, span: Span, op: Operation): string {
    if (r.ok) {
      op.method ??= methodOf(r.method);
      return 'ok';
    }
    span.setAttribute(Attr.attemptsLeft, r.attemptsLeft);
    return oneOf(r.error, VERIFY_ERRORS);
  }

  /** An enrollment or a challenge: its method, and the channel when a code went out. */
  function opened(r: { method?: unknown; channel?: unknown }, span: Span, op: Operation): string {
    op.method ??= methodOf(r.method);
    span.setAttributes(channelAttr(r.channel));
    return 'ok';
  }

  const on = {
    enroll: hooks(opened),
    confirm: hooks(judged, 'enroll'),
    challenge: hooks(opened),
    verify: hooks(judged, 'challenge'),
    remove: hooks((r: { removed?: unknown }, span) => {
      span.setAttribute(Attr.removed, Array.isArray(r?.removed) ? r.removed.length : 0);
      return 'ok';
    }),
    // The codes are the result: nothing of them goes on the span.
    regenerate: hooks(() => 'ok'),
  };

  // Metrics from the manager's events: every verification it judged and every lockout it
  // began, whichever object the app called.
  const event = <E extends keyof TwoFactorEvents>(name: E, fn: (e: TwoFactorEvents[E]) => void) => m.on(name, fn);
  const verification = (e: { method?: string; purpose: string }, outcome: string) => {
    const method = methodOf(e.method);
    const op = current();
    if (op && method) op.method ??= method;
    t.instruments.verifications.add(method, oneOf(e.purpose, PURPOSES), outcome);
  };
  const lockout = (attributes: Attributes) => {
    t.instruments.lockouts.add(1, attributes);
    current()?.span?.addEvent(EventNames.lockout, attributes);
  };
  event('verification.succeeded', (e) => verification(e, 'ok'));
  event('verification.failed', (e) => verification(e, oneOf(e.error, VERIFY_ERRORS)));
  event('user.locked', (e) => lockout({ [Attr.reason]: oneOf(e.reason, LOCK_REASONS) }));
  event('user.suspended', (e) => lockout({ [Attr.reason]: 'suspended', [Attr.scope]: oneOf(e.scope, SCOPES) }));
  event('authenticator.removed', (e) => {
    const op = current();
    if (op) op.method ??= methodOf(e.method);
  });

  const wrapped = overlay(m, {
    enroll: ((userId: string, method: string, input?: Record<string, unknown>) =>
      operation(SpanNames.enroll, userId, methodOf(method), () => m.enroll(userId, method, input as never), on.enroll)) as Manager['enroll'],
    confirmEnrollment: (userId: string, enrollmentId: string, answer: unknown) =>
      operation(SpanNames.confirmEnrollment, userId, undefined, () => m.confirmEnrollment(userId, enrollmentId, answer), on.confirm),
    challenge: (userId: string, opts?: Parameters<Manager['challenge']>[1]) =>
      operation(SpanNames.challenge, userId, methodOf(opts?.method), () => m.challenge(userId, opts), on.challenge),
    verify: (userId: string, input: Parameters<Manager['verify']>[1]) =>
      operation(SpanNames.verify, userId, methodOf((input as { method?: unknown } | null)?.method), () => m.verify(userId, input), on.verify),
    remove: (userId: string, authenticatorId: string) => operation(SpanNames.remove, userId, undefined, () => m.remove(userId, authenticatorId), on.remove),
    regenerateRecoveryCodes: (userId: string) => operation(SpanNames.regenerateRecoveryCodes, userId, undefined, () => m.regenerateRecoveryCodes(userId), on.regenerate),
  });
  twins.set(twofa, wrapped);
  made.add(wrapped);
  return wrapped as unknown as TwoFactor<M>;
}
