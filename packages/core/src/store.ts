/**
 * The Store contract. Every operation is atomic; each is one round trip where the
 * backend allows. Times are epoch milliseconds passed in by the caller (from the
 * injected clock), so expiry follows the same clock as the rest of the SDK.
 *
 * Partitions: every key lives in a partition. User state uses the user id as its
 * partition; send limits use `dest:<hash>` and `global`. A store may co-locate one
 * partition's keys (Redis Cluster hash tags); operations never span partitions.
 */

/** One enrolled (or pending) second factor of a user. */
export interface AuthenticatorRecord {
  userId: string;
  /** Random id, unique per user. */
  id: string;
  /** The Interface id: 'totp', 'phone', 'recovery', or a custom one. */
  type: string;
  /** Pending until confirmed with a valid code. */
  status: 'pending' | 'active';
  /** Interface config, encrypted by the manager (AES-256-GCM, key id prefix). */
  secret: string;
  /** Non-secret display data, e.g. a masked phone number or a label. */
  display?: Record<string, string>;
  createdAt: number;
  confirmedAt?: number;
  lastUsedAt?: number;
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

export interface HitResult {
  /** False when any rule had already reached its limit: nothing was counted. */
  allowed: boolean;
  /** Per rule, in order: the count after this hit (or the current count if refused). */
  counts: number[];
  /** Per rule: when its window (or block) ends, epoch ms. */
  resetAt: number[];
  /** Present when `load.authenticators` was asked for. */
  authenticators?: AuthenticatorRecord[];
  /** Present (possibly null) when `load.record` was asked for. */
  record?: string | null;
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

export interface Store {
  /** All authenticators of a user, pending and active, oldest first. */
  getAuthenticators(userId: string): Promise<AuthenticatorRecord[]>;
  /** Insert or replace `record` (by userId + id), deleting `replace` ids of the same user in the same step. */
  saveAuthenticator(record: AuthenticatorRecord, replace?: string[]): Promise<void>;
  /** Delete authenticators (and their TOTP step state). Returns how many existed. */
  deleteAuthenticators(userId: string, ids: string[]): Promise<number>;

  /**
   * Record `step` as the last used TOTP time step of an authenticator if it is later than
   * the one stored. Returns false (and writes nothing) for the same or an earlier step,
   * or when the authenticator does not exist. Touches lastUsedAt on success.
   */
  useTotpStep(userId: string, authenticatorId: string, step: number, now: number, settle?: Settle): Promise<boolean>;

  /** Replace all recovery-code hashes of a user (an empty list deletes them). */
  setRecoveryCodes(userId: string, hashes: string[], now: number): Promise<void>;
  /**
   * Mark the unused code whose hash is one of `hashes` used (the candidates are the same
   * code hashed under each key of the ring). Exactly one of concurrent calls wins.
   */
  useRecoveryCode(userId: string, hashes: string[], now: number, settle?: Settle): Promise<boolean>;
  /** How many unused codes remain. */
  countRecoveryCodes(userId: string): Promise<number>;

  /** Store a short-lived record (a challenge, a local verification). */
  putRecord(partition: string, key: string, value: string, expiresAt: number): Promise<void>;
  /** Read a record; null when missing or expired at `now`. */
  getRecord(partition: string, key: string, now: number): Promise<string | null>;
  /** Read and delete a record in one step; exactly one of concurrent calls gets it. */
  takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null>;

  /**
   * Count one attempt against every rule, all or nothing: if any rule has reached its
   * limit, nothing is counted and `allowed` is false. Optionally loads the partition's
   * authenticators and one record in the same round trip.
   */
  hit(
    partition: string,
    rules: RateRule[],
    now: number,
    load?: { authenticators?: boolean; record?: string },
  ): Promise<HitResult>;
  /** Clear counters. */
  resetCounters(partition: string, keys: string[]): Promise<void>;

  /** Release connections the store opened itself. */
  close?(): Promise<void>;
}
