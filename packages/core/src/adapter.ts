/**
 * The contracts and helpers for writing a Store, a provider adapter (Verifier, MessageSender) or a method of your own. Apps import `@twofa/core`.
 *
 * @packageDocumentation
 * @module @twofa/core/adapter
 */
// @twofa/core/adapter: the contracts and helpers for writing a Store, a provider adapter
// (Verifier, MessageSender) or a method of your own. Apps import '@twofa/core'.

// Stores (docs/stores.md)
export type {
  Store,
  AuthenticatorRecord,
  RateRule,
  HitOptions,
  HitResult,
  Settle,
  Consumable,
  CounterState,
  StoredRecord,
  RecoveryCodesState,
} from './store.js';

// Providers (docs/adapters.md)
export type {
  Verifier,
  MessageSender,
  ProviderEnvironment,
  Channel,
  StartInput,
  StartedVerification,
  CheckInput,
  CheckStatus,
  OutgoingMessage,
} from './verifier.js';
export {
  withTimeout,
  callProvider,
  parseRetryAfter,
  isNetworkError,
  parseOptions,
  parseTimeoutMs,
  parseBaseUrls,
  parseChannels,
  type ProviderCall,
  type ProviderAnswer,
  type ChannelListRule,
} from './provider-call.js';

// Methods (docs/methods.md)
export type {
  Method,
  AnyMethod,
  MethodContext,
  OpenAuthenticator,
  CheckOutcome,
  CheckResult,
  Confirmed,
  EnrollStart,
  ChallengeStart,
  ChallengeOptions,
} from './methods/types.js';
export { normaliseDigits } from './code-input.js';

// Shared by all three
export { TwoFactorError, isTwoFactorError, type ErrorCode } from './errors.js';
export { KeyRing, safeEqual, randomId, randomString, type BoxBinding } from './crypto.js';
export { reencryptUser } from './reencrypt.js';
export { systemClock, systemRandom, type Clock, type RandomSource } from './clock.js';
export type { Logger } from './events.js';

// Email addresses: validation for senders and methods that deliver by email (docs/email.md)
export { parseEmailAddress, maskEmailAddress, type ParsedEmailAddress } from './email-address.js';
