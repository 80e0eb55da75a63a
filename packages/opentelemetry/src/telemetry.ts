import {
  SpanStatusCode,
  context,
  metrics,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { ErrorCodes, TwoFactorError, type Channel } from '@twofa/core';
import { Attr, MetricNames, OTHER, SCOPE, VERSION } from './names.js';

/** Where spans and measurements go. Both default to the global providers the OpenTelemetry SDK registers. */
export interface TelemetryOptions {
  /** Default: `trace.getTracer('@twofa/opentelemetry')` from the global tracer provider. */
  tracer?: Tracer;
  /** Default: `metrics.getMeter('@twofa/opentelemetry')` from the global meter provider, looked up at the first measurement. */
  meter?: Meter;
}

/**
 * `twofa.verifications`, kept as running totals that the SDK reads when it collects (an
 * asynchronous counter). A verify then costs a Map update, where a synchronous counter's
 * `add` hashes its attribute set each time: measured in the bench, as much as the span. It
 * is exported the same way, as a monotonic sum. The sets are few (methods × purposes ×
 * outcomes), so the totals stay small.
 */
export class Tally {
  private readonly totals = new Map<string, { attributes: Attributes; value: number }>();

  constructor(meter: Meter) {
    meter
      .createObservableCounter(MetricNames.verifications, {
        description: 'Verifications (verify and confirmEnrollment) by method, purpose and outcome.',
        unit: '{verification}',
      })
      .addCallback((result) => {
        for (const t of this.totals.values()) result.observe(t.value, t.attributes);
      });
  }

  add(method: string | undefined, purpose: string, outcome: string): void {
    const key = `${method ?? ''}\0${purpose}\0${outcome}`;
    const total = this.totals.get(key);
    if (total) total.value++;
    else {
      const attributes = method ? { [Attr.method]: method, [Attr.purpose]: purpose, [Attr.outcome]: outcome } : { [Attr.purpose]: purpose, [Attr.outcome]: outcome };
      this.totals.set(key, { attributes, value: 1 });
    }
  }
}

export interface Instruments {
  verifications: Tally;
  sends: Counter;
  providerDuration: Histogram;
  lockouts: Counter;
}

// One set per meter, however many wrappers share it.
const instrumentsByMeter = new WeakMap<Meter, Instruments>();

function instrumentsOf(meter: Meter): Instruments {
  let made = instrumentsByMeter.get(meter);
  if (!made) {
    made = {
      verifications: new Tally(meter),
      sends: meter.createCounter(MetricNames.sends, {
        description: 'Codes handed to a provider for delivery, by provider, channel and outcome.',
        unit: '{send}',
      }),
      providerDuration: meter.createHistogram(MetricNames.providerDuration, {
        description: 'Duration of each provider call (Verifier start/check/cancel/lookup, MessageSender send).',
        unit: 'ms',
      }),
      lockouts: meter.createCounter(MetricNames.lockouts, {
        description: 'Lockouts and suspensions that began, by reason.',
        unit: '{lockout}',
      }),
    };
    instrumentsByMeter.set(meter, made);
  }
  return made;
}

/** True for an object with these functions (a duck-typed check of what a caller passed). */
export function isObjectWith(value: unknown, fns: string[]): boolean {
  return value !== null && typeof value === 'object' && fns.every((f) => typeof (value as Record<string, unknown>)[f] === 'function');
}

/** The tracer and (lazily) the instruments one wrapper records to. */
export class Telemetry {
  readonly tracer: Tracer;
  private readonly meter: Meter | undefined;
  private made: Instruments | undefined;

  constructor(options: TelemetryOptions | undefined, what: string) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TwoFactorError('config_invalid', { message: `${what} options must be an object ({ tracer?, meter? }).` });
    }
    if (options?.tracer !== undefined && !isObjectWith(options.tracer, ['startSpan'])) {
      throw new TwoFactorError('config_invalid', { message: `${what}: tracer must be an OpenTelemetry Tracer.` });
    }
    if (options?.meter !== undefined && !isObjectWith(options.meter, ['createCounter', 'createHistogram', 'createObservableCounter'])) {
      throw new TwoFactorError('config_invalid', { message: `${what}: meter must be an OpenTelemetry Meter.` });
    }
    this.tracer = options?.tracer ?? trace.getTracer(SCOPE, VERSION);
    this.meter = options?.meter;
  }

  get instruments(): Instruments {
    return (this.made ??= instrumentsOf(this.meter ?? metrics.getMeter(SCOPE, VERSION)));
  }
}

const KNOWN_CODES = new Set(Object.keys(ErrorCodes));

/**
 * The stable code of a thrown error: a TwoFactorError's `code` (checked against the list, so
 * two copies of core, ESM and CJS, still agree), else '_OTHER'. Never the message: an
 * adapter's or a driver's message may quote a number or an address.
 */
export function errorCodeOf(e: unknown): string {
  if (e instanceof Error && e.name === 'TwoFactorError') {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && KNOWN_CODES.has(code)) return code;
  }
  return OTHER;
}

const CHANNELS: ReadonlyMap<string, Attributes> = new Map((['sms', 'call', 'whatsapp', 'email'] satisfies Channel[]).map((c) => [c, { [Attr.channel]: c }]));
const NONE: Attributes = {};

/** `{ 'twofa.channel': channel }` when it is one of the four; anything else is left out rather than echoed. */
export function channelAttr(channel: unknown): Attributes {
  return (typeof channel === 'string' && CHANNELS.get(channel)) || NONE;
}

/** `value` when it is one of `allowed`, else '_OTHER': an outcome attribute never carries free text. */
export function oneOf(value: unknown, allowed: ReadonlySet<string>): string {
  return typeof value === 'string' && allowed.has(value) ? value : OTHER;
}

/**
 * What a traced call does besides running: hooks made once per wrapper (not per call), and
 * a per-call `state` they share, so a call allocates little.
 */
export interface Hooks<T, S> {
  /** Adds values to the context the call runs in. */
  context?(ctx: Context, state: S, span: Span): Context;
  /** Sets what the result says on the span; returns the outcome ('ok', a result, ...). */
  result(result: T, span: Span, state: S): string;
  /** Runs last, with the outcome (the error code when it threw). */
  done?(outcome: string, threw: boolean, span: Span, state: S): void;
}

/**
 * Runs `call` in a new active span (so what it calls nests under it), sets the outcome, and
 * on a throw marks the span as an error with the stable code as its status message. The
 * exception itself is not recorded: its message and stack may hold caller data.
 */
export async function traced<T, S>(tracer: Tracer, name: string, attributes: Attributes, state: S, call: () => Promise<T>, hooks: Hooks<T, S>): Promise<T> {
  const parent = context.active();
  const span = tracer.startSpan(name, { attributes }, parent); // kind: INTERNAL, the default
  let ctx = trace.setSpan(parent, span);
  if (hooks.context) ctx = hooks.context(ctx, state, span);
  let outcome = OTHER;
  let threw = false;
  try {
    const result = await context.with(ctx, call);
    outcome = hooks.result(result, span, state);
    span.setAttribute(Attr.outcome, outcome);
    return result;
  } catch (e) {
    threw = true;
    outcome = errorCodeOf(e);
    span.setAttributes({ [Attr.outcome]: outcome, [Attr.errorCode]: outcome });
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    throw e;
  } finally {
    hooks.done?.(outcome, threw, span, state);
    span.end();
  }
}
