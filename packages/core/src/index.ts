/**
 * What an app uses: `createTwoFactor`, the methods (`totp`, `phone`, `email`, `recoveryCodes`), `MemoryStore`, `localVerifier`, `consoleSender`, `failover`, `TwoFactorError` and the events. Contracts for writing a store, an adapter or a method are in `@twofa/core/adapter`.
 *
 * @packageDocumentation
 * @module @twofa/core
 */
// @twofa/core: what an app uses. Writing a Store, a provider adapter or a method of your
// own? Its contracts and helpers are in '@twofa/core/adapter'.
export { createTwoFactor } from './manager.js';
export type {
  TwoFactor,
  TwoFactorOptions,
  BuiltInMethods,
  Enrollment,
  VerifyResult,
  VerifyInput,
  VerifyError,
  ConfirmResult,
  AuthenticatorInfo,
  MethodSummary,
  Challenge,
} from './manager.js';
export type { Failure } from './outcomes.js';
export type { DevicesApi } from './devices.js';
export type { RememberedDevice } from './remember-device.js';
export type { Requirement, RequirementOptions } from './requirement.js';
export { reencryptStore, type ReencryptOptions } from './reencrypt.js';

export { totp, type TotpOptions, type TotpEnrollInput, type TotpEnrollment, type TotpMethod } from './methods/totp.js';
export { phone, type PhoneOptions, type PhoneEnrollInput, type PhoneEnrollment, type PhoneMethod } from './methods/phone.js';
export { email, type EmailOptions, type EmailEnrollInput, type EmailEnrollment, type EmailMethod } from './methods/email.js';
export { recoveryCodes, normaliseRecoveryCode, RECOVERY_CODE_BITS, type RecoveryCodesOptions, type RecoveryCodesMethod } from './methods/recovery-codes.js';
export type { ChallengeOptions } from './methods/types.js';

export { MemoryStore } from './memory-store.js';
export { localVerifier, type LocalVerifierOptions, type LocalVerifier } from './verifiers/local-verifier.js';
export { consoleSender, type ConsoleSenderOptions } from './verifiers/console-sender.js';
export { messageTemplates, type MessageTemplate, type MessageVars } from './verifiers/templates.js';
export { failover, type FailoverOptions, type FailoverEvent, type BreakerOptions } from './failover.js';
// Named when wiring an app (a store or provider chosen at run time); their full contracts are in '@twofa/core/adapter'.
export type { Store } from './store.js';
export type { Channel, MessageSender, Verifier } from './verifier.js';

export { TwoFactorError, isTwoFactorError, ErrorCodes, type ErrorCode, type TwoFactorErrorOptions } from './errors.js';
export type { TwoFactorEvents, EventName, Listener, Logger } from './events.js';
export { auditTrail, auditRecord, EVENT_NAMES, type AuditRecord, type AuditTrailOptions } from './audit.js';
export { defaultPolicy, type Policy, type PolicyInput, type SendLimit } from './policy.js';
export { systemClock, systemRandom, type Clock, type RandomSource } from './clock.js';
export { parsePhoneNumber, maskPhoneNumber, maskDestination, type NumberRules, type ParsedNumber } from './phone-number.js';
export { parseEmailAddress, maskEmailAddress, type ParsedEmailAddress } from './email-address.js';
