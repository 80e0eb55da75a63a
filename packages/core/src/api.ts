// The public shape of the manager: TwoFactor and the results its calls resolve to.
import type { Clock, RandomSource } from './clock.js';
import type { DevicesApi } from './devices.js';
import type { EventName, Listener, Logger } from './events.js';
import type { PhoneMethod } from './methods/phone.js';
import type { RecoveryCodesMethod } from './methods/recovery-codes.js';
import type { TotpMethod } from './methods/totp.js';
import type { AnyMethod, ChallengeOptions, Method } from './methods/types.js';
import type { Failure } from './outcomes.js';
import type { Policy, PolicyInput } from './policy.js';
import type { Requirement, RequirementOptions } from './requirement.js';
import type { Store } from './store.js';
import type { Channel } from './verifier.js';

export type { VerifyError } from './outcomes.js';

/** The methods `TwoFactor` is typed for when you name no others. */
export type BuiltInMethods = readonly [TotpMethod, PhoneMethod, RecoveryCodesMethod];

/** Options of `createTwoFactor()`. */
export interface TwoFactorOptions<M extends readonly AnyMethod[] = readonly AnyMethod[]> {
  /** Shown in authenticator apps and messages, e.g. your product name. */
  issuer: string;
  /** Where all state lives: MemoryStore (one process), redisStore(), postgresStore(). */
  store: Store;
  /** 32-byte keys (64 hex chars or base64, optionally 'keyId:' first), newest first. */
  encryptionKeys?: readonly (string | undefined)[];
  /**
   * Run without encrypting secrets at rest. Development only: the keyed hashes (recovery
   * codes, device tokens) then use a public key, so they can be forged. Refused when
   * NODE_ENV is 'production'.
   */
  insecureNoEncryption?: boolean;
  /**
   * Whether secrets in the unbound v1 format of twofa 0.1 still open. 'accept' (the
   * default) keeps existing users working while they are re-encrypted; set 'refuse' once
   * the re-encrypt command has run (docs/security.md).
   */
  legacyCiphertexts?: 'accept' | 'refuse';
  /** The methods users may enroll: totp(), phone(...), recoveryCodes(), or your own. */
  methods: M;
  policy?: PolicyInput;
  /** Required 2FA: the grace period, and what an overdue user may do. */
  requirement?: RequirementOptions;
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
}

/** What `verify()` resolves to: `{ ok: true, method, authenticatorId }`, or a failure with `error`, `attemptsLeft` and `retryAt`. */
export type VerifyResult =
  | {
      ok: true;
      method: string;
      authenticatorId: string;
      /** Methods that can tell (WebAuthn): whether the user was verified (PIN, biometrics). */
      userVerified?: boolean;
      /** A signed proof of this second factor, for `isFresh()` before sensitive actions. */
      proof: string;
    }
  | Failure;

/** What `confirmEnrollment()` resolves to: the new authenticator (and, with the first primary one, the recovery codes to show once), or a failure. */
export type ConfirmResult = { ok: true; method: string; authenticatorId: string; recoveryCodes?: string[] } | Failure;

/** One of the user's authenticators, as `methods()` lists it. */
export interface AuthenticatorInfo {
  id: string;
  method: string;
  name?: string;
  /** 'pending' until confirmed; 'unreadable' when no configured key opens its secret (it cannot be used). */
  status: 'active' | 'pending' | 'unreadable';
  isBackup: boolean;
  /** Non-secret display data: `label` (TOTP), `phone` (masked number). */
  display: Record<string, string>;
  createdAt: number;
  confirmedAt?: number;
  lastUsedAt?: number;
  /** Recovery codes left (backup methods). */
  remaining?: number;
}

/** A configured method, as `availableMethods()` lists it. */
export interface MethodSummary {
  method: string;
  isBackup: boolean;
  needsChallenge: boolean;
  /** False when it cannot work as configured (e.g. phone without a verifier). */
  available: boolean;
  maxPerUser: number;
}

/** An open challenge, as `challenge()` returns it. Holds no code. */
export interface Challenge {
  /** Pass it back to `verify`. */
  id: string;
  method: string;
  /** The authenticator it is for (the phone the code went to), when it is one. */
  authenticatorId?: string;
  channel?: Channel;
  destination?: string;
  expiresAt: number;
  /** When a new code may be asked for (methods that send one). */
  resendAt?: number;
  /** Method-specific data, e.g. WebAuthn's `options`. */
  [extra: string]: unknown;
}

/** The answer: `code` for typed codes, `response` for objects (a WebAuthn assertion). */
export type VerifyInput =
  | { challengeId: string; code?: string; response?: unknown }
  | { method: string; code?: string; response?: unknown };

/** What `enroll` returns: the method's own output plus these. */
export type Enrollment<E extends object = object> = E & {
  /** The pending authenticator's id: confirm it with `confirmEnrollment(userId, id, code)`. */
  id: string;
  method: string;
  name?: string;
  /** Confirmable until, epoch ms. */
  expiresAt: number;
};

// The method with that id; any method when M does not name ids (a plain AnyMethod[]).
type MethodNamed<M extends readonly AnyMethod[], Id> = [Extract<M[number], { id: Id }>] extends [never] ? M[number] : Extract<M[number], { id: Id }>;
type EnrollInputOf<X> = X extends Method<string, infer I, object> ? I : never;
type EnrollmentOf<X> = X extends Method<string, never, infer E> ? E : object;

export interface TwoFactor<M extends readonly AnyMethod[] = BuiltInMethods> extends DevicesApi {
  readonly policy: Policy;
  /** Starts enrolling an authenticator; `name` is the user's name for it. Typed per method. */
  enroll<Id extends M[number]['id']>(
    userId: string,
    method: Id,
    input?: EnrollInputOf<MethodNamed<M, Id>> & { name?: string },
  ): Promise<Enrollment<EnrollmentOf<MethodNamed<M, Id>>>>;
  /** Confirms a pending enrollment with the code (or response) it asked for; the first primary brings recovery codes. */
  confirmEnrollment(userId: string, enrollmentId: string, answer: unknown): Promise<ConfirmResult>;
  /** The user's authenticators (active, pending, unreadable), by method order then age. */
  methods(userId: string): Promise<AuthenticatorInfo[]>;
  /** The configured methods, in order. */
  availableMethods(): MethodSummary[];
  /** Renames one of the user's authenticators. */
  rename(userId: string, authenticatorId: string, name: string): Promise<void>;
  /** Opens a challenge (sends a code for phone). Throws 'locked' / 'suspended' and sends nothing while the user is locked out. */
  challenge(userId: string, options?: ChallengeOptions & { method?: string; authenticatorId?: string }): Promise<Challenge>;
  /** Checks a code, against an open challenge (`{ challengeId, code }`) or a method (`{ method, code }`). A wrong code is a result, not an exception. */
  verify(userId: string, input: VerifyInput): Promise<VerifyResult>;
  /** Removes one authenticator; removing the last primary one removes the backups too. */
  remove(userId: string, authenticatorId: string): Promise<{ removed: string[] }>;
  /** Replaces the user's recovery codes with a new set, returned once: show it, never store it. */
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  /**
   * Takes over an authenticator enrolled with another library, active at once: a TOTP
   * secret (`data: { secret, algorithm?, digits?, period?, label? }`, and `lastUsedStep`
   * so a code already used there is refused here), or recovery codes (`method:
   * 'recovery'`, `data: { codes }`). See docs/migrating.md.
   */
  importAuthenticator(
    userId: string,
    input: { method: string; data: unknown; name?: string; lastUsedStep?: number; createdAt?: number },
  ): Promise<{ authenticatorId: string }>;
  /** Ends a lockout or suspension (e.g. after support checked who the user is). */
  unlock(userId: string): Promise<void>;
  /** Writes the user's secrets again with the newest key and the bound format. */
  reencrypt(userId: string): Promise<{ updated: number; unreadable: number }>;
  /**
   * Whether a `proof` from a successful verify lets a sensitive action go ahead: signed for
   * this user, no older than `maxAgeSeconds`, of one of `methods` (if given), and its
   * authenticator still enrolled.
   */
  isFresh(proof: unknown, options: { userId: string; maxAgeSeconds: number; methods?: string[] }): Promise<boolean>;
  /**
   * Required 2FA: pass whether your rules (a role, a flag) require 2FA of this user. twofa
   * keeps when the requirement started and answers where the user stands. With
   * `record: false` it only reads (an admin page): no grace period starts, nothing is forgotten.
   */
  requirement(userId: string, options: { required: boolean; record?: boolean }): Promise<Requirement>;
  /**
   * Support's reset for a user who lost every factor: removes every authenticator and
   * recovery code, clears counters and lockouts, forgets remembered devices and open
   * challenges, in one atomic store step; emits 'admin.reset' with who and why.
   */
  reset(userId: string, options: { actor: string; reason: string }): Promise<void>;
  /** Subscribes to an event; returns the function that unsubscribes. Events carry no secret. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}
