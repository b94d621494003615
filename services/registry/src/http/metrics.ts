import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the service counts; one instance per running app (tests run several in one process). */
export interface Metrics {
  /** One served request: its operation, outcome (`ok`, an error code, or a node status) and time. */
  observeRequest(operation: string, outcome: string, seconds: number): void;
  redisReconnected(): void;
  mqttReconnected(): void;
  nodeFrameDropped(): void;
}

export interface PrometheusMetrics extends Metrics {
  registry: Registry;
}

/** Prometheus metrics via prom-client, with the process defaults, prefixed `giotto_registry_`. */
export function createPrometheusMetrics(inFlight: () => number): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'giotto_registry_' });
  const requests = new Counter({
    name: 'giotto_registry_requests_total',
    help: 'Requests served, by operation and outcome (ok, an error code, or a node reply status)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'giotto_registry_request_duration_seconds',
    help: 'Time from taking a request to publishing its reply',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'giotto_registry_requests_in_flight',
    help: 'Requests taken and not yet answered',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  const reconnects = new Counter({
    name: 'giotto_registry_reconnects_total',
    help: 'Connections re-established after a loss, by dependency',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'giotto_registry_node_frames_dropped_total',
    help: 'Node frames dropped for a bad reply token (nowhere to answer)',
    registers: [registry],
  });
  return {
    registry,
    observeRequest(operation, outcome, seconds) {
      requests.inc({ operation, outcome });
      latency.observe({ operation }, seconds);
    },
    redisReconnected: () => reconnects.inc({ dependency: 'redis' }),
    mqttReconnected: () => reconnects.inc({ dependency: 'mqtt' }),
    nodeFrameDropped: () => dropped.inc(),
  };
}
