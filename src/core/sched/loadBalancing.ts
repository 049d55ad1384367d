/**
 * Requests routed across a plan's replicas, as a seeded discrete-event simulation. Requests
 * arrive as a Poisson process; each replica serves one request at a time in arrival order with
 * exponential service time at its own speed (an M/M/1 queue per replica, so the textbook formulas
 * check the simulator). Routing: random, round robin, weighted by speed (smooth weighted round
 * robin), or least outstanding requests.
 */
import { exponential, percentile, seededRandom } from './random.ts';

export type RoutingPolicy = 'random' | 'round-robin' | 'weighted' | 'least-outstanding';

export interface Replica {
  name: string;
  /** Requests per second one replica completes when busy (its service rate). */
  serviceRate: number;
}

export interface RoutingResult {
  policy: RoutingPolicy;
  requests: number;
  meanLatency: number;
  p50: number;
  p99: number;
  /** Busy time / simulated time, per replica. */
  utilization: Record<string, number>;
}

export function simulateRouting(
  replicas: readonly Replica[],
  arrivalRate: number,
  requests: number,
  policy: RoutingPolicy,
  seed = 1,
): RoutingResult {
  if (replicas.length === 0) throw new Error('no replicas to route to');
  if (
    !(arrivalRate > 0) ||
    !Number.isFinite(arrivalRate) ||
    replicas.some((r) => !(r.serviceRate > 0) || !Number.isFinite(r.serviceRate))
  )
    throw new Error('rates must be positive numbers');
  if (!Number.isInteger(requests) || requests < 1 || requests > 1_000_000)
    throw new Error(`simulate 1 to 1,000,000 requests, not ${requests}`);
  const random = seededRandom(seed);
  const n = replicas.length;
  // Per replica: when it frees up, and the completion times of what it holds (for outstanding counts).
  const freeAt = new Float64Array(n);
  const busy = new Float64Array(n);
  const pending: number[][] = replicas.map(() => []);
  const latencies = new Float64Array(requests);
  const weights = replicas.map((r) => r.serviceRate);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const current = new Float64Array(n);
  let rr = 0;
  let time = 0;
  for (let i = 0; i < requests; i++) {
    time += exponential(random, arrivalRate);
    let target = 0;
    switch (policy) {
      case 'random':
        target = Math.floor(random() * n);
        break;
      case 'round-robin':
        target = rr++ % n;
        break;
      case 'weighted': {
        // Smooth weighted round robin (as nginx does it): deterministic, proportional to speed.
        for (let k = 0; k < n; k++) current[k]! += weights[k]!;
        for (let k = 1; k < n; k++) if (current[k]! > current[target]!) target = k;
        current[target]! -= totalWeight;
        break;
      }
      case 'least-outstanding': {
        let best = Infinity;
        for (let k = 0; k < n; k++) {
          const queue = pending[k]!;
          while (queue.length > 0 && queue[0]! <= time) queue.shift();
          // Fewest in flight; among equals, the fastest.
          const score = queue.length / weights[k]!;
          if (score < best) {
            best = score;
            target = k;
          }
        }
        break;
      }
    }
    const service = exponential(random, replicas[target]!.serviceRate);
    const start = Math.max(time, freeAt[target]!);
    const done = start + service;
    freeAt[target] = done;
    busy[target]! += service;
    if (policy === 'least-outstanding') pending[target]!.push(done);
    latencies[i] = done - time;
  }
  const sorted = Float64Array.from(latencies).sort();
  const end = Math.max(time, ...freeAt);
  const utilization: Record<string, number> = {};
  replicas.forEach((r, k) => (utilization[r.name] = end > 0 ? busy[k]! / end : 0));
  return {
    policy,
    requests,
    meanLatency: latencies.reduce((a, b) => a + b, 0) / requests,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    utilization,
  };
}
