/**
 * OpenTelemetry spans and metrics for twofa: `instrumentTwoFactor()`, `instrumentVerifier()`, `instrumentSender()` (docs/observability.md). Nothing exported holds a code, a secret, a number or a user id.
 *
 * @packageDocumentation
 * @module @twofa/opentelemetry
 */
// @twofa/opentelemetry: OpenTelemetry spans and metrics for twofa (docs/observability.md).
export { instrumentTwoFactor, type TwoFactorTelemetryOptions } from './two-factor.js';
export { instrumentVerifier, instrumentSender } from './providers.js';
export { hashUserId, type HashUserIds } from './user-hash.js';
export type { TelemetryOptions } from './telemetry.js';
export { SpanNames, MetricNames, Attr, EventNames, SCOPE, VERSION } from './names.js';
