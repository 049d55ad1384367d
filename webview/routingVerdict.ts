/** Whether a routing policy keeps up with the arrivals (pure: unit-tested without a page). */
import type { Replica, RoutingPolicy } from '../src/core/sched/loadBalancing.ts';
import { formatTick } from './scale.ts';

/**
 * Whether a policy sends a replica more requests per second than it serves (its queue then grows
 * without bound): random and round robin give each of n replicas 1/n of the arrivals; weighted and
 * least-outstanding share by speed, so they overload only when arrivals exceed the sum of rates.
 */
export function overloadOf(
  policy: RoutingPolicy,
  replicas: readonly Replica[],
  arrivalRate: number,
): string | undefined {
  const capacity = replicas.reduce((sum, r) => sum + r.serviceRate, 0);
  if (arrivalRate >= capacity)
    return `overloaded: ${formatTick(arrivalRate)} req/s arrive, all replicas serve ${formatTick(capacity)} req/s`;
  if (policy === 'random' || policy === 'round-robin') {
    const share = arrivalRate / replicas.length;
    const slow = replicas.filter((r) => share >= r.serviceRate);
    if (slow.length)
      return `overloaded: ${slow.map((r) => r.name).join(', ')} get${slow.length === 1 ? 's' : ''} ${share.toFixed(2)} req/s, serve${slow.length === 1 ? 's' : ''} ${formatTick(Math.min(...slow.map((r) => r.serviceRate)))} req/s`;
  }
  return undefined;
}
