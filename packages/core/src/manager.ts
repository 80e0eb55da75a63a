import type { BuiltInMethods, TwoFactor, TwoFactorOptions } from './api.js';
import { authenticatorsApi } from './authenticators.js';
import { devicesApi } from './devices.js';
import { createEngine } from './engine.js';
import { enrollmentApi } from './enrollment.js';
import type { AnyMethod } from './methods/types.js';
import { operatorsApi } from './operators.js';
import { readOptions } from './options.js';
import { verificationApi } from './verification.js';

/**
 * Makes the manager an app talks to. The options are checked here (every mistake is a
 * TwoFactorError('config_invalid')); the work is split by what it is about:
 * enrollment.ts, verification.ts, authenticators.ts, operators.ts and devices.ts, all on
 * the shared engine.ts.
 */
export function createTwoFactor<const M extends readonly AnyMethod[] = BuiltInMethods>(options: TwoFactorOptions<M>): TwoFactor<M> {
  const e = createEngine(readOptions(options));
  const { enroll, ...enrollment } = enrollmentApi(e);
  return {
    policy: e.policy,
    // Typed per method by TwoFactor<M>; the implementation takes any configured method id.
    enroll: enroll as TwoFactor<M>['enroll'],
    ...enrollment,
    ...verificationApi(e),
    ...authenticatorsApi(e),
    ...operatorsApi(e),
    ...devicesApi({ store: e.store, keyRing: e.keyRing, clock: e.clock, random: e.random }),
    on: (event, listener) => e.events.on(event, listener),
  };
}
