// @twofa/core/adapter: the contracts and helpers for writing a Store, a provider adapter
// (Verifier, MessageSender) or a method of your own. Apps import '@twofa/core'.

// Stores (docs/stores.md)
export type { Store, AuthenticatorRecord, RateRule, HitResult, Settle } from './store.js';

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

// Methods (docs/concepts.md)
export type {
  Interface,
  MethodContext,
  OpenAuthenticator,
  CheckOutcome,
  EnrollStart,
  ChallengeStart,
  ChallengeOptions,
} from './interfaces/types.js';
export { normaliseDigits } from './code-input.js';

// Shared by all three
export { TwoFactorError, isTwoFactorError, type ErrorCode } from './errors.js';
export { KeyRing, safeEqual, randomId, randomString } from './crypto.js';
export { systemClock, systemRandom, type Clock, type RandomSource } from './clock.js';
export type { Logger } from './events.js';
