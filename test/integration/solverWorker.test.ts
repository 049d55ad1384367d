/** The bundled GLPK (dist/solver-worker.js + dist/glpk.wasm) in a real worker thread. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { SELF_TEST_PROGRAM } from '../../src/core/solver/selfTest.ts';
import type { LinearProgram } from '../../src/core/solver/workerProtocol.ts';
import {
  GlpkWorkerClient,
  SOLVER_LIMITS,
  SolverSizeError,
  SolverTimeoutError,
  WATCHDOG_GRACE_MS,
} from '../../src/node/solverClient.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const bundledWorker = join(repo, 'dist', 'solver-worker.js');
const workers = join(repo, 'test', 'fixtures', 'workers');
const options = { timeLimitSeconds: 5, mipGap: 0 };

describe('GLPK in a worker thread, loaded from the build output', () => {
  assert.ok(existsSync(bundledWorker), 'dist/solver-worker.js is missing: run "npm run build" first');
  const client = new GlpkWorkerClient(bundledWorker);
  after(() => client.dispose());

  test('loads GLPK 5.0 from dist/glpk.wasm', async () => {
    const info = await client.start();
    assert.equal(info.glpkVersion, '5.0');
  });

  test('solves the textbook LP to the optimum found by hand (x = 3, y = 1, value 11)', async () => {
    const result = await client.solve(SELF_TEST_PROGRAM, options);
    assert.equal(result.status, 'optimal');
    assert.equal(result.objective, 11);
    assert.deepEqual(result.values, { x: 3, y: 1 });
  });

  test('solves a 0/1 knapsack to the optimum found by enumeration', async () => {
    // Capacity 10; items (weight, value): a (5, 10), b (4, 40), c (6, 30), d (3, 50).
    // Subsets within capacity: {b,d} w7 v90, {c,d} w9 v80, {b,c} w10 v70, {a,d} w8 v60,
    // {a,b} w9 v50, singles at most 50; every triple weighs over 10. So {b, d} = 90.
    const knapsack: LinearProgram = {
      name: 'knapsack',
      objective: {
        direction: 'max',
        name: 'value',
        vars: [
          { name: 'a', coef: 10 },
          { name: 'b', coef: 40 },
          { name: 'c', coef: 30 },
          { name: 'd', coef: 50 },
        ],
      },
      subjectTo: [
        {
          name: 'capacity',
          vars: [
            { name: 'a', coef: 5 },
            { name: 'b', coef: 4 },
            { name: 'c', coef: 6 },
            { name: 'd', coef: 3 },
          ],
          bound: { kind: 'upTo', ub: 10 },
        },
      ],
      binaries: ['a', 'b', 'c', 'd'],
    };
    const result = await client.solve(knapsack, options);
    assert.equal(result.status, 'optimal');
    assert.equal(result.objective, 90);
    assert.deepEqual(result.values, { a: 0, b: 1, c: 0, d: 1 });
  });

  test('reports an infeasible integer program as infeasible', async () => {
    // x + y = 1 and x + y >= 2 cannot both hold.
    const infeasible: LinearProgram = {
      name: 'infeasible',
      objective: {
        direction: 'min',
        name: 'cost',
        vars: [
          { name: 'x', coef: 1 },
          { name: 'y', coef: 1 },
        ],
      },
      subjectTo: [
        {
          name: 'one',
          vars: [
            { name: 'x', coef: 1 },
            { name: 'y', coef: 1 },
          ],
          bound: { kind: 'equal', value: 1 },
        },
        {
          name: 'two',
          vars: [
            { name: 'x', coef: 1 },
            { name: 'y', coef: 1 },
          ],
          bound: { kind: 'atLeast', lb: 2 },
        },
      ],
      generals: ['x', 'y'],
      bounds: [
        { name: 'x', bound: { kind: 'between', lb: 0, ub: 5 } },
        { name: 'y', bound: { kind: 'between', lb: 0, ub: 5 } },
      ],
    };
    const result = await client.solve(infeasible, options);
    assert.equal(result.status, 'infeasible');
  });
});

describe('size caps', () => {
  test('a program over the limits is refused before it reaches the worker, with the numbers', async () => {
    const client = new GlpkWorkerClient(join(workers, 'crash-worker.cjs'));
    try {
      const n = SOLVER_LIMITS.variables + 1;
      const huge: LinearProgram = {
        name: 'huge',
        objective: {
          direction: 'min',
          name: 'z',
          vars: Array.from({ length: n }, (_, i) => ({ name: `x${i}`, coef: 1 })),
        },
        subjectTo: [],
      };
      // The crash worker would exit 3 if it ever got the program.
      await assert.rejects(
        client.solve(huge, options),
        (error: Error) =>
          error instanceof SolverSizeError &&
          error.message.includes(`${n} variables (at most ${SOLVER_LIMITS.variables})`),
      );
    } finally {
      client.dispose();
    }
  });
});

describe('the watchdog', () => {
  test(`terminates a worker that overruns its time limit by ${WATCHDOG_GRACE_MS} ms and starts a fresh one next time`, async () => {
    const client = new GlpkWorkerClient(join(workers, 'hang-worker.cjs'));
    try {
      const started = Date.now();
      await assert.rejects(client.solve(SELF_TEST_PROGRAM, { timeLimitSeconds: 0.2, mipGap: 0 }), SolverTimeoutError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 200 + WATCHDOG_GRACE_MS - 50, `stopped after ${elapsed} ms, before the limit plus grace`);
      // A new solve gets a new worker (the old one is gone), which the watchdog stops again.
      await assert.rejects(client.solve(SELF_TEST_PROGRAM, { timeLimitSeconds: 0.1, mipGap: 0 }), SolverTimeoutError);
    } finally {
      client.dispose();
    }
  });

  test('a worker that dies mid-solve rejects the solve instead of hanging', async () => {
    const client = new GlpkWorkerClient(join(workers, 'crash-worker.cjs'));
    try {
      await assert.rejects(client.solve(SELF_TEST_PROGRAM, options), /solver worker stopped \(exit code 3\)/);
    } finally {
      client.dispose();
    }
  });
});
