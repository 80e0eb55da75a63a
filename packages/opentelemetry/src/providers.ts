import { context, createContextKey, type Attributes } from '@opentelemetry/api';
import { TwoFactorError, type MessageSender, type Verifier } from '@twofa/core';
import type { CheckInput, CheckStatus, OutgoingMessage, StartInput, StartedVerification } from '@twofa/core/adapter';
import { Attr, SpanNames } from './names.js';
import { overlay } from './overlay.js';
import { Telemetry, channelAttr, isObjectWith, oneOf, traced, type Hooks, type TelemetryOptions } from './telemetry.js';

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

interface ProviderCall {
  provider: string;
  action: Action;
  started: number;
  /** Start and send: the attributes the send is counted with, this call's mark and the enclosing one's. */
  delivery: Attributes | undefined;
  mark: Delivery | undefined;
  outer: Delivery | undefined;
}

/** Made once per wrapper and action: outcome, duration, and the send counted once. */
function hooks<T>(t: Telemetry, outcomeOf: (result: T) => string): Hooks<T, ProviderCall> {
  return {
    context: (ctx, call) => (call.mark ? ctx.setValue(DELIVERY, call.mark) : ctx),
    result: outcomeOf,
    done(outcome, _threw, _span, call) {
      const { providerDuration, sends } = t.instruments;
      providerDuration.record(performance.now() - call.started, { [Attr.provider]: call.provider, [Attr.action]: call.action, [Attr.outcome]: outcome });
      if (!call.mark) return;
      if (!call.mark.counted) sends.add(1, { [Attr.provider]: call.provider, ...call.delivery, [Attr.outcome]: outcome });
      if (call.outer) call.outer.counted = true;
    },
  };
}

function providerCall<T>(t: Telemetry, how: Hooks<T, ProviderCall>, spanName: string, provider: string, action: Action, run: () => Promise<T>, delivery?: Attributes): Promise<T> {
  const call: ProviderCall = {
    provider,
    action,
    started: performance.now(),
    delivery,
    mark: delivery ? { counted: false } : undefined,
    outer: delivery ? (context.active().getValue(DELIVERY) as Delivery | undefined) : undefined,
  };
  return traced(t.tracer, spanName, { [Attr.provider]: provider, [Attr.action]: action, ...delivery }, call, run, how);
}

function assertProvider(p: unknown, fns: string[], message: string): void {
  if (!isObjectWith(p, fns)) throw new TwoFactorError('config_invalid', { message });
}

/**
 * The same verifier, with each call in a span (`twofa.verifier.start` / `.check` / `.cancel` /
 * `.lookup_line_type`) and measured in `twofa.provider.duration`; starts count in
 * `twofa.sends`. `name`, `channels`, `attach`, the presence of `lookupLineType` and anything
 * else the verifier has (a fake's `sent`) are kept. Pass the result to phone({ verifier }).
 */
export function instrumentVerifier<V extends Verifier>(verifier: V, options?: TelemetryOptions): V {
  assertProvider(verifier, ['start', 'check', 'cancel'], 'instrumentVerifier takes a Verifier (start, check, cancel).');
  if (wrappers.has(verifier)) return verifier;
  const t = new Telemetry(options, 'instrumentVerifier');
  const v: Verifier = verifier;
  const name = () => String(v.name);
  const started = hooks<StartedVerification>(t, () => 'ok');
  const checked = hooks<CheckStatus>(t, (status) => oneOf(status, CHECK_STATUSES));
  const canceled = hooks<boolean>(t, (done) => (done ? 'canceled' : 'not_found'));
  const looked = hooks<string | null>(t, (type) => (type === null ? 'unknown' : 'ok'));
  const wrapped = overlay(verifier, {
    start: (input: StartInput) => providerCall(t, started, SpanNames.verifierStart, name(), 'start', () => v.start(input), channelAttr(input?.channel)),
    check: (input: CheckInput) => providerCall(t, checked, SpanNames.verifierCheck, name(), 'check', () => v.check(input)),
    cancel: (id: string) => providerCall(t, canceled, SpanNames.verifierCancel, name(), 'cancel', () => v.cancel(id)),
    lookupLineType: v.lookupLineType
      ? (e164: string) => providerCall(t, looked, SpanNames.verifierLookup, name(), 'lookup_line_type', () => v.lookupLineType!(e164))
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
  assertProvider(sender, ['send'], 'instrumentSender takes a MessageSender (send).');
  if (wrappers.has(sender)) return sender;
  const t = new Telemetry(options, 'instrumentSender');
  const s: MessageSender = sender;
  const sent = hooks<{ id: string }>(t, () => 'ok');
  const wrapped = overlay(sender, {
    send: (message: OutgoingMessage) => providerCall(t, sent, SpanNames.senderSend, String(s.name), 'send', () => s.send(message), channelAttr(message?.channel)),
  });
  wrappers.add(wrapped);
  return wrapped;
}
