import type { EventName, TwoFactorEvents } from './events.js';

/**
 * One line of the audit trail: a stable schema (version 1) for every event, ready for a
 * table or a log pipeline. It holds ids, method ids, outcomes and stable codes — never a
 * code, a secret, a full phone number or an email address.
 */
export interface AuditRecord {
  /** Schema version. */
  v: 1;
  event: EventName;
  /** ISO 8601, from the manager's clock. */
  at: string;
  userId: string;
  /** Who acted, when it was not the user (admin.reset). */
  actor?: string;
  method?: string;
  authenticatorId?: string;
  outcome: 'success' | 'failure' | 'info';
  /** The stable code of a failure: invalid_code, locked, … */
  errorCode?: string;
  /**
   * A little more, by event: the purpose (enroll/challenge), the lockout reason
   * (failures/hourly_cap), the suspended scope, the anomaly reason, the admin's reason, the
   * masked destination of a send.
   */
  detail?: string;
}

/** The events in the trail, and how each maps. */
const MAP: { [E in EventName]: (e: TwoFactorEvents[E]) => Omit<AuditRecord, 'v' | 'event' | 'at' | 'userId'> } = {
  'verification.sent': (e) => ({ method: e.method, ...(e.authenticatorId ? { authenticatorId: e.authenticatorId } : {}), outcome: 'info', detail: [e.purpose, e.channel, e.destination].filter(Boolean).join(' ') }),
  'verification.succeeded': (e) => ({ method: e.method, authenticatorId: e.authenticatorId, outcome: 'success', detail: e.purpose }),
  'verification.failed': (e) => ({ ...(e.method ? { method: e.method } : {}), outcome: 'failure', errorCode: e.error, detail: e.purpose }),
  'user.locked': (e) => ({ outcome: 'failure', errorCode: 'locked', detail: `${e.reason} until ${new Date(e.until).toISOString()}` }),
  'user.suspended': (e) => ({ outcome: 'failure', errorCode: 'suspended', detail: e.scope }),
  'user.unlocked': () => ({ outcome: 'info' }),
  'authenticator.enrolled': (e) => ({ method: e.method, authenticatorId: e.authenticatorId, outcome: 'success' }),
  'authenticator.removed': (e) => ({ method: e.method, authenticatorId: e.authenticatorId, outcome: 'info' }),
  'authenticator.anomaly': (e) => ({ method: e.method, authenticatorId: e.authenticatorId, outcome: 'failure', errorCode: 'anomaly', detail: e.reason }),
  'requirement.grace_started': (e) => ({ outcome: 'info', detail: `until ${new Date(e.until).toISOString()}` }),
  'requirement.overdue': (e) => ({ outcome: 'failure', errorCode: 'overdue', detail: `since ${new Date(e.since).toISOString()}` }),
  'admin.reset': (e) => ({ actor: e.actor, outcome: 'info', detail: e.reason }),
  'secret.unreadable': (e) => ({ ...(e.method ? { method: e.method } : {}), ...(e.authenticatorId ? { authenticatorId: e.authenticatorId } : {}), outcome: 'failure', errorCode: 'decrypt_failed', detail: e.record }),
};

/** Every event name, in a stable order. */
export const EVENT_NAMES = Object.keys(MAP) as EventName[];

/** Maps one event to its audit record. */
export function auditRecord<E extends EventName>(event: E, payload: TwoFactorEvents[E]): AuditRecord {
  const body = (MAP[event] as (e: TwoFactorEvents[E]) => Omit<AuditRecord, 'v' | 'event' | 'at' | 'userId'>)(payload);
  return { v: 1, event, at: new Date(payload.at).toISOString(), userId: payload.userId, ...body };
}

/** Options of `auditTrail()`: where records go and what to do when a write fails. */
export interface AuditTrailOptions {
  /** A write that failed (a sink's database down): log it; the verification is not affected. */
  onError?: (error: unknown, record: AuditRecord) => void;
}

/**
 * Sends every event, as an AuditRecord, to `write` (a table, a log). Returns a function
 * that stops it. A write never delays or fails a verification: failures go to `onError`.
 */
export function auditTrail(
  twofa: { on<E extends EventName>(event: E, listener: (e: TwoFactorEvents[E]) => void): () => void },
  write: (record: AuditRecord) => void | Promise<void>,
  options: AuditTrailOptions = {},
): () => void {
  const stops = EVENT_NAMES.map((name) =>
    twofa.on(name, (payload) => {
      const record = auditRecord(name, payload);
      try {
        Promise.resolve(write(record)).catch((e: unknown) => options.onError?.(e, record));
      } catch (e) {
        options.onError?.(e, record);
      }
    }),
  );
  return () => stops.forEach((stop) => stop());
}
