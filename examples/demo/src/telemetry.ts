// TWOFA_OTEL=console: twofa's spans (@twofa/opentelemetry) printed to the demo's log, one
// line each. An app would register its own SDK and exporter instead (docs/observability.md).
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** One line per span: name, duration, status, attributes (which never hold a code, a secret or a number). */
export function spanLine(span: ReadableSpan): string {
  const ms = span.duration[0] * 1e3 + span.duration[1] / 1e6;
  const parent = span.parentSpanContext?.spanId ? ` parent=${span.parentSpanContext.spanId}` : '';
  return `otel span ${span.name} ${ms.toFixed(1)}ms status=${span.status.code}${span.status.message ? `:${span.status.message}` : ''} id=${span.spanContext().spanId}${parent} ${JSON.stringify(span.attributes)}`;
}

/** A tracer whose spans go to `write`; provider spans nest under the call that made them. */
export function consoleTracer(write: (line: string) => void): Tracer {
  const exporter: SpanExporter = {
    export(spans, done) {
      for (const s of spans) write(spanLine(s));
      done({ code: 0 });
    },
    shutdown: async () => undefined,
  };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('twofa-demo');
}
