/** Packing with the bundled GLPK in its worker, checked against optima found by hand and by brute force. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { solvePacking } from '../../src/core/solver/packing.ts';
import { validatePlacement } from '../../src/core/solver/plan.ts';
import { parsePackingProblem, type PackingProblem } from '../../src/core/solver/problem.ts';
import { GlpkWorkerClient } from '../../src/node/solverClient.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const client = new GlpkWorkerClient(join(repo, 'dist', 'solver-worker.js'));
const solve = (p: PackingProblem, timeLimitSeconds = 10) =>
  solvePacking(p, (program, o) => client.solve(program, o), { timeLimitSeconds, mipGap: 0 });

/** Cheapest cost by trying every assignment of replicas to GPUs (tiny problems only; TP 1). */
function bruteForce(p: PackingProblem): number {
  const gpus = p.gpus.flatMap((g) => Array.from({ length: g.count }, () => g));
  const items = p.models.flatMap((m) => Array.from({ length: m.replicas }, () => m.memoryGiB));
  let best = Infinity;
  const load = Array.from({ length: gpus.length }, () => 0);
  const place = (i: number) => {
    if (i === items.length) {
      best = Math.min(
        best,
        gpus.reduce((sum, g, k) => sum + (load[k]! > 0 ? g.costPerHour : 0), 0),
      );
      return;
    }
    for (let k = 0; k < gpus.length; k++) {
      if (load[k]! + items[i]! > gpus[k]!.memoryGiB) continue;
      load[k]! += items[i]!;
      place(i + 1);
      load[k]! -= items[i]!;
    }
  };
  place(0);
  return best;
}

describe('packing with GLPK', () => {
  after(() => client.dispose());

  test('the mixed-fleet example: $23.72/h by hand, $0.80 under first-fit', async () => {
    const parsed = parsePackingProblem(
      JSON.parse(readFileSync(join(repo, 'examples', 'plan', 'mixed-fleet.json'), 'utf8')),
    );
    assert.ok(parsed.ok);
    const result = await solve(parsed.value);
    // chat-70b (72 GiB x TP 2 x 2) fits only H100s: 4 x $4 = $16; code-32b (40 GiB) on 2 L40S = $3.72;
    // summarize (20 GiB x 3) and vision (16 GiB x 2) on 5 L4 = $4.00; embed and rerank fill the gaps.
    assert.equal(result.status, 'optimal');
    assert.equal(result.costPerHour?.toFixed(2), '23.72');
    assert.deepEqual(validatePlacement(parsed.value, result.placement!), []);
    assert.ok(result.greedy && result.greedy.costPerHour >= result.costPerHour!);
    assert.ok(result.onePerGpu && result.onePerGpu.costPerHour >= result.greedy.costPerHour);
  });

  test('matches brute force on 30 small random problems', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 30; n++) {
      const p: PackingProblem = {
        objective: 'cost',
        gpus: [
          { type: 'a', count: 2, memoryGiB: 24, costPerHour: 1 },
          { type: 'b', count: 2, memoryGiB: 48, costPerHour: 1.7 },
        ],
        models: Array.from({ length: 2 + Math.floor(random() * 2) }, (_, i) => ({
          name: `m${i}`,
          memoryGiB: 2 + Math.floor(random() * 30),
          replicas: 1 + Math.floor(random() * 2),
          tp: 1,
        })),
      };
      const expected = bruteForce(p);
      const result = await solve(p);
      if (expected === Infinity) {
        assert.equal(result.status, 'infeasible', JSON.stringify(p));
      } else {
        assert.equal(result.status, 'optimal', JSON.stringify(p));
        assert.equal(result.costPerHour?.toFixed(4), expected.toFixed(4), JSON.stringify(p));
        assert.deepEqual(validatePlacement(p, result.placement!), []);
      }
    }
  });

  test('TP replicas take distinct GPUs of one type', async () => {
    const p: PackingProblem = {
      objective: 'gpus',
      gpus: [{ type: 'g', count: 4, memoryGiB: 80, costPerHour: 1 }],
      models: [{ name: 'wide', memoryGiB: 30, replicas: 2, tp: 2 }],
    };
    const result = await solve(p);
    // Two 30 GiB shards fit one 80 GiB GPU, so 4 shards need only 2 GPUs, each holding one shard of each replica.
    assert.equal(result.gpusUsed, 2);
    assert.deepEqual(validatePlacement(p, result.placement!), []);
  });

  test('an infeasible problem says what binds', async () => {
    const result = await solve({
      objective: 'cost',
      gpus: [{ type: 'l4', count: 1, memoryGiB: 24, costPerHour: 0.8 }],
      models: [{ name: 'big', memoryGiB: 40, replicas: 1, tp: 1 }],
    });
    assert.equal(result.status, 'infeasible');
    assert.match(result.message, /big needs 1 GPU\(s\) with 40 GiB each/);
  });

  test('a solver that never answers ends as a timeout, with the greedy plan', async () => {
    const hang = new GlpkWorkerClient(join(repo, 'test', 'fixtures', 'workers', 'hang-worker.cjs'));
    try {
      const p: PackingProblem = {
        objective: 'cost',
        gpus: [{ type: 'g', count: 2, memoryGiB: 24, costPerHour: 1 }],
        models: [{ name: 'm', memoryGiB: 10, replicas: 2, tp: 1 }],
      };
      const result = await solvePacking(p, (program, o) => hang.solve(program, o), {
        timeLimitSeconds: 0.1,
        mipGap: 0,
      });
      assert.equal(result.status, 'timeout');
      assert.equal(result.greedy?.gpusUsed, 1);
    } finally {
      hang.dispose();
    }
  });
});

describe('gpu-workbench plan', () => {
  const run = async (args: string[]) => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [join(repo, 'bin', 'gpu-workbench.js'), ...args],
        { cwd: repo, timeout: 60_000 },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  test('--json prints the documented fields, and the plan passes the validator', async () => {
    const r = await run(['plan', 'examples/plan/mixed-fleet.json', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.status, 'optimal');
    assert.equal(json.costPerHour, 23.72);
    assert.equal(json.gpusUsed, 11);
    assert.deepEqual(Object.keys(json.greedy), ['costPerHour', 'gpusUsed']);
    const parsed = parsePackingProblem(
      JSON.parse(readFileSync(join(repo, 'examples', 'plan', 'mixed-fleet.json'), 'utf8')),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(validatePlacement(parsed.value, { gpus: json.placements }), []);
  });

  test('a broken problem file exits 2 with the field that is wrong', async () => {
    const r = await run(['plan', 'package.json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /The problem: "gpus" must be a non-empty list/);
  });
});
