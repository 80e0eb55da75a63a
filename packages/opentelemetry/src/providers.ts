import { context, createContextKey, type Attributes, type Span } from '@opentelemetry/api';
import { TwoFactorError, type MessageSender, type Verifier } from '@twofa/core';
import type { CheckInput, OutgoingMessage, StartInput } from '@twofa/core/adapter';
import { Attr, SpanNames } from './names.js';
import { overlay } from './overlay.js';
import { Telemetry, channelAttr, oneOf, traced, type TelemetryOptions } from './telemetry.js';

type Action = 'start' | 'check' | 'cancel' | 'lookup_line_type' | 'send';

const CHECK_STATUSES: ReadonlySet<string> = new Set(['approved', 'pending', 'expired', 'max_attempts', 'canceled']);

/**
 * One code handed over for delivery is counted once, by the innermost instrumented provider
 * that handled it: a sender inside localVerifier, each provider inside failover(). An outer
 * wrapper sees through the context that an inner one counted, and does not count again.
 */
const DELIVERY = createContextKey('@twofa/opentelemetry delivery');
interface Delivery {
  counted: boolean;
}

// The wrappers this package made: instrumenting one again returns it as it is.
const wrappers = new WeakSet<object>();

function providerCall<T>(
  t: Telemetry,
  providerName: string,
  action: Action,
  spanName: string,
  run: () => Promise<T>,
  outcomeOf: (result: T, span: Span) => string,
  /** For start and send: the attributes the send is counted with. */
  delivery?: Attributes,
): Promise<T> {
  const started = performance.now();
  const mark: Delivery = { counted: false };
  const outer = delivery ? (context.active().getValue(DELIVERY) as Delivery | undefined) : undefined;
  const base = { [Attr.provider]: providerName, [Attr.action]: action };
  return traced(t.tracer, spanName, { ...base, ...delivery }, run, {
    onResult: outcomeOf,
    ...(delivery ? { context: (ctx) => ctx.setValue(DELIVERY, mark) } : {}),
    finish(outcome) {
      const { providerDuration, sends } = t.instruments;
      providerDuration.record(performance.now() - started, { ...base, [Attr.outcome]: outcome });
      if (!delivery) return;
      if (!mark.counted) sends.add(1, { [Attr.provider]: providerName, ...delivery, [Attr.outcome]: outcome });
      if (outer) outer.counted = true;
    },
  });
}

function assertProvider(p: unknown, fns: string[], what: string): void {
  if (p === null || typeof p !== 'object' || !fns.every((f) => typeof (p as Record<string, unknown>)[f] === 'function')) {
    throw new TwoFactorError('config_invalid', { message: `${what} takes a ${what === 'instrumentVerifier' ? 'Verifier (start, check, cancel)' : 'MessageSender (send)'}.` });
  }
}

/**
 * The same verifier, with each call in a span (`twofa.verifier.start` / `.check` / `.cancel` /
 * `.lookup_line_type`) and measured in `twofa.provider.duration`; starts count in
 * `twofa.sends`. `name`, `channels`, `attach`, the presence of `lookupLineType` and anything
 * else the verifier has (a fake's `sent`) are kept. Pass the result to phone({ verifier }).
 */
export function instrumentVerifier<V extends Verifier>(verifier: V, options?: TelemetryOptions): V {
  assertProvider(verifier, ['start', 'check', 'cancel'], 'instrumentVerifier');
  if (wrappers.has(verifier)) return verifier;
  const t = new Telemetry(options, 'instrumentVerifier');
  const v: Verifier = verifier;
  const name = () => String(v.name);
  const wrapped = overlay(verifier, {
    start: (input: StartInput) =>
      providerCall(t, name(), 'start', SpanNames.verifierStart, () => v.start(input), () => 'ok', channelAttr(input?.channel)),
    check: (input: CheckInput) => providerCall(t, name(), 'check', SpanNames.verifierCheck, () => v.check(input), (status) => oneOf(status, CHECK_STATUSES)),
    cancel: (id: string) => providerCall(t, name(), 'cancel', SpanNames.verifierCancel, () => v.cancel(id), (done) => (done ? 'canceled' : 'not_found')),
    lookupLineType: v.lookupLineType
      ? (e164: string) =>
          providerCall(t, name(), 'lookup_line_type', SpanNames.verifierLookup, () => v.lookupLineType!(e164), (type) => (type === null ? 'unknown' : 'ok'))
      : undefined,
  });
  wrappers.add(wrapped);
  return wrapped;
}

/**
 * The same sender, with each send in a `twofa.sender.send` span, measured in
 * `twofa.provider.duration` and counted in `twofa.sends`. Pass the result to
 * localVerifier({ sender }) or failover([...]).
 */
export function instrumentSender<S extends MessageSender>(sender: S, options?: TelemetryOptions): S {
  assertProvider(sender, ['send'], 'instrumentSender');
  if (wrappers.has(sender)) return sender;
  const t = new Telemetry(options, 'instrumentSender');
  const s: MessageSender = sender;
  const wrapped = overlay(sender, {
    send: (message: OutgoingMessage) =>
      providerCall(t, String(s.name), 'send', SpanNames.senderSend, () => s.send(message), () => 'ok', channelAttr(message?.channel)),
  });
  wrappers.add(wrapped);
  return wrapped;
}
