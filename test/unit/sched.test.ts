/** Scheduling and routing simulations against textbook results. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simulateJobs, type Job } from '../../src/core/sched/jobScheduling.ts';
import { simulateRouting } from '../../src/core/sched/loadBalancing.ts';

const job = (id: string, arrival: number, duration: number, priority = 0, gpus = 1): Job => ({
  id,
  arrival,
  duration,
  gpus,
  priority,
});

describe('job scheduling: the worked examples of Silberschatz et al., Operating System Concepts', () => {
  test('FCFS: P1 24, P2 3, P3 3 -> mean wait (0 + 24 + 27) / 3 = 17', () => {
    assert.equal(simulateJobs([job('P1', 0, 24), job('P2', 0, 3), job('P3', 0, 3)], 1, 'fcfs').meanWait, 17);
  });
  test('SJF: bursts 6, 8, 7, 3 -> mean wait (3 + 16 + 9 + 0) / 4 = 7', () => {
    assert.equal(
      simulateJobs([job('P1', 0, 6), job('P2', 0, 8), job('P3', 0, 7), job('P4', 0, 3)], 1, 'sjf').meanWait,
      7,
    );
  });
  test('SRTF: arrivals 0-3, bursts 8, 4, 9, 5 -> mean wait 26 / 4 = 6.5', () => {
    assert.equal(
      simulateJobs([job('P1', 0, 8), job('P2', 1, 4), job('P3', 2, 9), job('P4', 3, 5)], 1, 'srtf').meanWait,
      6.5,
    );
  });
  test('Round robin, quantum 4: P1 24, P2 3, P3 3 -> mean wait 17 / 3 = 5.66', () => {
    const result = simulateJobs([job('P1', 0, 24), job('P2', 0, 3), job('P3', 0, 3)], 1, 'rr', 4);
    assert.equal(result.meanWait.toFixed(2), '5.67');
    // The Gantt chart: P1 0-4, P2 4-7, P3 7-10, then P1 alone.
    assert.deepEqual(
      result.gantt.slice(0, 3).map((s) => [s.job, s.start, s.end]),
      [
        ['P1', 0, 4],
        ['P2', 4, 7],
        ['P3', 7, 10],
      ],
    );
  });
  test('Priority: 10/3, 1/1, 2/4, 1/5, 5/2 -> mean wait 41 / 5 = 8.2', () => {
    assert.equal(
      simulateJobs(
        [job('P1', 0, 10, 3), job('P2', 0, 1, 1), job('P3', 0, 2, 4), job('P4', 0, 1, 5), job('P5', 0, 5, 2)],
        1,
        'priority',
      ).meanWait,
      8.2,
    );
  });
  test('several GPUs and multi-GPU jobs: makespan and utilization by hand', () => {
    // 2 GPUs: A (2 GPUs, 4 h) runs alone 0-4; then B and C (1 GPU, 2 h each) side by side 4-6.
    const result = simulateJobs([job('A', 0, 4, 0, 2), job('B', 0, 2), job('C', 0, 2)], 2, 'fcfs');
    assert.equal(result.makespan, 6);
    // Busy GPU-hours 4 x 2 + 2 + 2 = 12 of 2 x 6 = 12.
    assert.equal(result.utilization, 1);
    assert.throws(() => simulateJobs([job('X', 0, 1, 0, 3)], 2, 'fcfs'), /needs 3 GPUs, the pool has 2/);
    assert.throws(() => simulateJobs([job('N', 0, Number.NaN)], 2, 'rr'), /duration > 0/);
    assert.throws(() => simulateJobs([job('Q', 0, 1)], 2, 'rr', 0), /quantum must be a positive number/);
  });
});

describe('routing requests across replicas', () => {
  test('one replica is an M/M/1 queue: mean latency 1 / (mu - lambda) = 1 / (1 - 0.8) = 5 s', () => {
    const result = simulateRouting([{ name: 'r', serviceRate: 1 }], 0.8, 200_000, 'round-robin', 42);
    assert.ok(Math.abs(result.meanLatency - 5) / 5 < 0.05, String(result.meanLatency));
    // M/M/1 latency is exponential with rate mu - lambda: p50 = ln 2 / 0.2 = 3.47 s, p99 = ln 100 / 0.2 = 23.0 s.
    assert.ok(Math.abs(result.p50 - 3.47) / 3.47 < 0.08, String(result.p50));
    assert.ok(Math.abs(result.p99 - 23.03) / 23.03 < 0.1, String(result.p99));
    assert.ok(Math.abs(result.utilization.r! - 0.8) < 0.02);
  });

  test('random routing over two equal replicas: two M/M/1 queues at lambda / 2 -> 1 / (1 - 0.8) = 5 s', () => {
    const result = simulateRouting(
      [
        { name: 'a', serviceRate: 1 },
        { name: 'b', serviceRate: 1 },
      ],
      1.6,
      200_000,
      'random',
      7,
    );
    assert.ok(Math.abs(result.meanLatency - 5) / 5 < 0.06, String(result.meanLatency));
  });

  test('with a fast and a slow replica, weighted and least-outstanding routing beat round robin', () => {
    const replicas = [
      { name: 'fast', serviceRate: 3 },
      { name: 'slow', serviceRate: 1 },
    ];
    const p99 = (policy: Parameters<typeof simulateRouting>[3]) => simulateRouting(replicas, 3, 100_000, policy, 3).p99;
    const roundRobin = p99('round-robin');
    assert.ok(p99('weighted') < roundRobin, 'weighted');
    assert.ok(p99('least-outstanding') < roundRobin, 'least outstanding');
    // Round robin sends half the load (1.5/s) to a replica that serves 1/s: it never catches up.
    assert.ok(simulateRouting(replicas, 3, 100_000, 'round-robin', 3).utilization.slow! > 0.98);
  });

  test('the same seed gives the same numbers', () => {
    const a = simulateRouting([{ name: 'r', serviceRate: 2 }], 1, 1000, 'random', 9);
    const b = simulateRouting([{ name: 'r', serviceRate: 2 }], 1, 1000, 'random', 9);
    assert.deepEqual(a, b);
  });
});
