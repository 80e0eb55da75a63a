/**
 * The Store contract. Every operation is atomic; each is one round trip where the
 * backend allows. Times are epoch milliseconds passed in by the caller (from the
 * injected clock), so expiry follows the same clock as the rest of the SDK.
 *
 * Partitions: every key lives in a partition. A user's state uses the user id as its
 * partition; the SDK's own state (send limits, local verifications) uses partitions that
 * start with "\u0001", which no user id can (user ids never hold control characters).
 * A store may co-locate one partition's keys (Redis Cluster hash tags); operations never
 * span partitions.
 */

/** One enrolled (or pending) authenticator of a user: an app, a phone, a key, a recovery set. */
export interface AuthenticatorRecord {
  userId: string;
  /** Random id, unique per user. */
  id: string;
  /** The method id: 'totp', 'phone', 'recovery', or a custom one. */
  method: string;
  /** Pending until confirmed with a valid code. */
  status: 'pending' | 'active';
  /** The name the user gave it ("Work phone"). */
  name?: string;
  /** The method's config, encrypted by the manager and bound to user and authenticator id. */
  secret: string;
  /** Non-secret display data, e.g. a masked phone number or a label. */
  display?: Record<string, string>;
  createdAt: number;
  confirmedAt?: number;
  lastUsedAt?: number;
  /**
   * The last value `consume` advanced (a TOTP time step, a WebAuthn sign count); absent
   * until the first. Read-only here: `saveAuthenticator` ignores it, only `consume` sets it.
   */
  counter?: number;
}

/** A counter rule for {@link Store.hit}. */
export interface RateRule {
  key: string;
  /** Attempts allowed in the window. A hit when the count has reached it is refused. */
  limit: number;
  /** The window starts at the first hit and lasts this long. */
  windowSeconds: number;
  /** When a hit brings the count to `limit`, keep the key blocked this long from now. */
  blockSeconds?: number;
}

/** A counter as read by {@link HitOptions.load}: zero when missing or past its window. */
export interface CounterState {
  count: number;
  /** When the window (or block) ends, epoch ms; 0 when the counter is not running. */
  resetAt: number;
}

/**
 * A one-time thing to use up. Every condition given must hold, or nothing is written:
 * - `record`: a live record with this key exists; it is deleted.
 * - `counter`: the authenticator exists and `value` is above its counter (the counter is
 *   then set to `value`); with `allowZero`, `value` 0 also passes while the counter is
 *   absent or 0 (an authenticator that keeps no count, as some WebAuthn keys).
 * - `recoveryCode`: an unused recovery code of the user is stored under one of these
 *   hashes (the candidates are one code hashed under each key of the ring); it is marked used.
 */
export interface Consumable {
  record?: string;
  counter?: { authenticatorId: string; value: number; allowZero?: boolean };
  recoveryCode?: string[];
}

/**
 * Extra writes applied atomically with a successful consume, in the same partition
 * (the user's). Lets a verify settle in one round trip.
 */
export interface Settle {
  /** Counter keys to reset (e.g. consecutive failures). */
  reset?: string[];
  /** Record keys to delete (e.g. the open challenge). */
  drop?: string[];
  /** Authenticator id whose lastUsedAt becomes `now`. */
  touch?: string;
}

/** What `Store.hit` does besides counting: load, consume and settle in the same round trip. */
export interface HitOptions {
  /** Read in the same round trip, whether or not the hit was allowed. */
  load?: {
    authenticators?: boolean;
    /** One record's live value. */
    record?: string;
    /** Counters to read without counting (the state after this hit). */
    counters?: string[];
  };
  /** When the hit is allowed: use this up in the same step, and apply `settle` if it was. */
  consume?: Consumable;
  settle?: Settle;
}

/** What `Store.hit` returns: whether the attempt was allowed, the counters, and what was loaded. */
export interface HitResult {
  /** False when any rule had already reached its limit: nothing was counted or consumed. */
  allowed: boolean;
  /** Per rule, in order: the count after this hit (or the current count if refused). */
  counts: number[];
  /** Per rule: when its window (or block) ends, epoch ms. */
  resetAt: number[];
  /** Present when `load.authenticators` was asked for. */
  authenticators?: AuthenticatorRecord[];
  /** Present (possibly null) when `load.record` was asked for. */
  record?: string | null;
  /** Present when `load.counters` was asked for, in that order. */
  counters?: CounterState[];
  /** Present when `consume` was given: whether it was used up. */
  consumed?: boolean;
}

/** A record as listed by {@link Store.listRecords}. */
export interface StoredRecord {
  key: string;
  value: string;
  expiresAt: number;
}

/** What a user's recovery codes look like, without the codes. */
export interface RecoveryCodesState {
  /** Unused codes. */
  remaining: number;
  /** When a code was last used, epoch ms. */
  lastUsedAt?: number;
}

/** Where twofa keeps all its state. Every operation is atomic; see docs/stores.md and the conformance suite (`runStoreTests`). */
export interface Store {
  /** All authenticators of a user, pending and active, oldest first. */
  getAuthenticators(userId: string): Promise<AuthenticatorRecord[]>;
  /**
   * Insert or replace `record` (by userId + id), deleting `replace` ids of the same user
   * (and their counters) in the same step. Replacing a record keeps its counter.
   */
  saveAuthenticator(record: AuthenticatorRecord, replace?: string[]): Promise<void>;
  /**
   * Replace a stored authenticator only if its secret is still `ifSecret` (compare and
   * set): activating an enrollment or re-encrypting a secret must not bring back a record
   * that was removed or replaced meanwhile. `lastUsedAt` never moves back (a writer may have
   * read the record before a use). Returns whether it was written.
   */
  updateAuthenticator(record: AuthenticatorRecord, ifSecret: string): Promise<boolean>;
  /** Delete authenticators (and their counters). Returns how many existed. */
  deleteAuthenticators(userId: string, ids: string[]): Promise<number>;

  /** Use up a one-time thing (see {@link Consumable}); applies `settle` with it. Exactly one of concurrent calls wins. */
  consume(userId: string, what: Consumable, now: number, settle?: Settle): Promise<boolean>;

  /** Replace all recovery-code hashes of a user (an empty list deletes them). */
  setRecoveryCodes(userId: string, hashes: string[], now: number): Promise<void>;
  /** How many of the user's recovery codes are unused, and when one was last used. */
  recoveryCodes(userId: string): Promise<RecoveryCodesState>;

  /** Store a short-lived record; returns the value it replaced if that was still live at `now`. */
  putRecord(partition: string, key: string, value: string, expiresAt: number, now: number): Promise<string | null>;
  /** Read and delete a record in one step; exactly one of concurrent calls gets it. Applies `settle` if it did. */
  takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null>;
  /** The live records whose key starts with `prefix`, by key. */
  listRecords(partition: string, prefix: string, now: number): Promise<StoredRecord[]>;

  /**
   * Count one attempt against every rule, all or nothing: if any rule has reached its
   * limit, nothing is counted and `allowed` is false. With no rules it only loads.
   */
  hit(partition: string, rules: RateRule[], now: number, options?: HitOptions): Promise<HitResult>;
  /** Clear counters. */
  resetCounters(partition: string, keys: string[]): Promise<void>;

  /**
   * Deletes everything kept in the partition — authenticators with their counters,
   * recovery codes, records (challenges, devices), rate counters — in one atomic step, so
   * a crash cannot leave it half cleared.
   */
  purge(partition: string): Promise<void>;

  /** Every user id that has authenticators, in batches (for maintenance: re-encryption). */
  users?(): AsyncIterable<string>;
  /** Release connections the store opened itself. */
  close?(): Promise<void>;
}
