import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A reader the test collects by hand: no timers. */
class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface Point {
  metric: string;
  unit: string;
  attributes: Attributes;
  /** The sum for counters; the count of measurements for histograms. */
  value: number;
}

/**
 * A real OpenTelemetry SDK in memory: spans to an InMemorySpanExporter through a
 * BasicTracerProvider, metrics to a MeterProvider read on demand, and the
 * AsyncLocalStorage context manager so spans nest across awaits, as in an app.
 */
export function startOtel() {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });

  async function points(): Promise<Point[]> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length) throw errors[0];
    return resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.flatMap((m) =>
        m.dataPoints.map((p) => ({
          metric: m.descriptor.name,
          unit: m.descriptor.unit,
          attributes: p.attributes,
          value: m.dataPointType === DataPointType.HISTOGRAM ? (p.value as { count: number }).count : (p.value as number),
        })),
      ),
    );
  }

  return {
    tracer: tracerProvider.getTracer('twofa-test'),
    meter: meterProvider.getMeter('twofa-test'),
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    points,
    /** The value of `metric` at exactly these attributes (0 when never recorded). */
    async value(metric: string, attributes: Attributes): Promise<number> {
      const want = JSON.stringify(Object.entries(attributes).sort());
      return (await points()).find((p) => p.metric === metric && JSON.stringify(Object.entries(p.attributes).sort()) === want)?.value ?? 0;
    },
    reset: () => exporter.reset(),
    async stop() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      context.disable();
    },
  };
}

export type Otel = ReturnType<typeof startOtel>;

/** The finished spans named `name`, oldest first. */
export function named(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

export function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = named(spans, name);
  if (found.length !== 1) throw new Error(`expected one '${name}' span, found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** True when `child` was started inside `parent` (same trace, parent's span id). */
export function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return child.parentSpanContext?.spanId === parent.spanContext().spanId && child.spanContext().traceId === parent.spanContext().traceId;
}

/**
 * Everything an exporter would send as text, less ids and timings (random hex and clock
 * digits would match short codes by chance): span names, kinds, attributes, status, event
 * names and attributes; metric names, units and point attributes.
 */
export function exportedText(spans: ReadableSpan[], points: Point[]): string {
  return JSON.stringify({
    spans: spans.map((s) => ({ name: s.name, kind: s.kind, attributes: s.attributes, status: s.status, events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })), links: s.links.map((l) => l.attributes) })),
    metrics: points.map((p) => ({ metric: p.metric, unit: p.unit, attributes: p.attributes })),
  });
}
