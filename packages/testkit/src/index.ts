/**
 * Fakes, a fake clock and servers for testing an app or an adapter against twofa. Never loads vitest; the suites are in `@twofa/testkit/conformance`. ESM only.
 *
 * @packageDocumentation
 * @module @twofa/testkit
 */
// @twofa/testkit: fakes, servers and helpers an app or adapter uses in its own tests.
// Nothing here imports vitest; the conformance suites are in '@twofa/testkit/conformance'.
export { FakeClock, fakeClock } from './fake-clock.js';
export { startFakeServer, type FakeServer, type RecordedRequest, type RouteHandler, type ScriptedResponse } from './fake-server.js';
export {
  fakeVerifier,
  fakeSender,
  type FakeSend,
  type FakeVerifier,
  type FakeVerifierOptions,
  type FakeSender,
  type FakeSenderOptions,
} from './fake-verifier.js';
export { EXPECTED_CODE, RETRY_AFTER_SECONDS, type ScriptedFailure } from './scripted-failures.js';
export {
  startTwilioFake,
  twilioFailure,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_SERVICE_SID,
  TWILIO_MESSAGING_SERVICE_SID,
  TWILIO_MAX_CHECKS,
  type TwilioFake,
} from './fake-twilio.js';
export {
  startVonageFake,
  vonageFailure,
  VONAGE_APPLICATION_ID,
  VONAGE_API_KEY,
  VONAGE_API_SECRET,
  VONAGE_MAX_CHECKS,
  type VonageFake,
  type VonageOp,
} from './fake-vonage.js';
export { sealV1, legacyTotpSecret, legacyRecoverySecret } from './legacy.js';
export { startPrism, specPath, PRISM_REQUEST_REFUSED, type PrismOptions, type PrismServer } from './prism.js';
export { startRewriteProxy, type ProxiedRequest, type RewriteProxy } from './rewrite-proxy.js';
export {
  freeRedisPort,
  startRedisServer,
  startRedisCluster,
  type RedisServerHandle,
  type RedisServerOptions,
  type RedisClusterHandle,
} from './redis-cluster.js';
