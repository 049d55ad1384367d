/**
 * Provisioning with the bundled GLPK: the cheapest mix of GPU types and replicas that meets every
 * demand, checked by hand on the example and against exhaustive search where pools are short.
 * The per-replica capacities come from the sizing engine (checked in its own tests); here the
 * question is whether the choice among them is right.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  candidates,
  parseProvisioningProblem,
  solveProvisioning,
  type Candidate,
  type ProvisioningProblem,
} from '../../src/core/solver/provisioning.ts';
import { GlpkWorkerClient } from '../../src/node/solverClient.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const client = new GlpkWorkerClient(join(repo, 'dist', 'solver-worker.js'));
const solve = (p: ProvisioningProblem) => solveProvisioning(p, (program, o) => client.solve(program, o), 20);
const example = JSON.parse(readFileSync(join(repo, 'examples', 'plan', 'provisioning.json'), 'utf8'));

function parse(raw: unknown): ProvisioningProblem {
  const parsed = parseProvisioningProblem(raw);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.value;
}

/** Cheapest cost by trying every replica count of every candidate, within the pools' GPU counts. */
function exhaustive(p: ProvisioningProblem): number {
  const list = candidates(p);
  assert.notEqual(list, 'overran');
  if (list === 'overran') return NaN;
  const free = new Map(p.pools.map((pool) => [pool.gpu.id, pool.count]));
  let best = Infinity;
  const byModel = p.models.map((m) => ({
    demand: m.workload.requestsPerSecond,
    options: list.filter((c) => c.model === m.name),
  }));
  const search = (model: number, option: number, remaining: number, cost: number) => {
    if (cost >= best - 1e-9) return;
    if (model === byModel.length) {
      best = cost;
      return;
    }
    const { options } = byModel[model]!;
    if (remaining <= 1e-9) return search(model + 1, 0, byModel[model + 1]?.demand ?? 0, cost);
    if (option === options.length) return;
    const c: Candidate = options[option]!;
    const most = Math.min(Math.ceil(remaining / c.requestsPerSecond - 1e-9), Math.floor(free.get(c.gpuType)! / c.tp));
    for (let n = most; n >= 0; n--) {
      free.set(c.gpuType, free.get(c.gpuType)! - n * c.tp);
      search(model, option + 1, remaining - n * c.requestsPerSecond, cost + n * c.costPerHour);
      free.set(c.gpuType, free.get(c.gpuType)! + n * c.tp);
    }
  };
  search(0, 0, byModel[0]!.demand, 0);
  return best;
}

describe('provisioning with GLPK', () => {
  after(() => client.dispose());

  test('the example mixes three GPU types and beats every single-type fleet', async () => {
    const p = parse(example);
    const result = await solve(p);
    assert.equal(result.status, 'optimal');
    // Every demand is met by the replicas chosen for it, and the cost is the sum of their prices.
    for (const m of p.models) {
      const capacity = result.choices
        .filter((c) => c.model === m.name)
        .reduce((s, c) => s + c.replicas * c.requestsPerSecond, 0);
      assert.ok(capacity >= m.workload.requestsPerSecond, `${m.name}: ${capacity} < ${m.workload.requestsPerSecond}`);
    }
    const price = new Map(p.pools.map((pool) => [pool.gpu.id, pool.gpu.pricePerHour]));
    const byHand = result.choices.reduce((s, c) => s + c.replicas * c.tp * price.get(c.gpuType)!, 0);
    assert.equal(result.costPerHour!.toFixed(4), byHand.toFixed(4));
    assert.equal(result.costPerHour!.toFixed(4), exhaustive(p).toFixed(4));
    assert.ok(new Set(result.choices.map((c) => c.gpuType)).size >= 2, 'a mix, not one type');
    assert.ok(result.homogeneous && result.homogeneous.costPerHour > result.costPerHour!);
    assert.match(
      result.message,
      /^Proven optimal: \$\d+\.\d\d\/h for 3 model\(s\), \$\d+\.\d\d\/h less than the best single GPU type/,
    );
  });

  test('the cost/headroom front starts at the optimum and buys more headroom with each step', async () => {
    const result = await solve(parse(example));
    assert.ok(result.front.length >= 2);
    assert.equal(result.front[0]!.costPerHour.toFixed(4), result.costPerHour!.toFixed(4));
    assert.ok(result.front[0]!.headroom >= 1, 'the cheapest plan already meets every demand');
    for (let i = 1; i < result.front.length; i++) {
      assert.ok(result.front[i]!.costPerHour > result.front[i - 1]!.costPerHour);
      assert.ok(result.front[i]!.headroom > result.front[i - 1]!.headroom);
    }
  });

  test('when the cheap type runs short, the plan spills onto the next and stays optimal', async () => {
    // Two L40S only: the example's choice for "code" needs more of them than there are.
    const p = parse({
      ...example,
      gpus: [
        { type: 'l40s', count: 2 },
        { type: 'a10g', count: 12 },
        { type: 'h100-sxm', count: 2 },
      ],
    });
    const result = await solve(p);
    assert.equal(result.status, 'optimal');
    const used = new Map<string, number>();
    for (const c of result.choices) used.set(c.gpuType, (used.get(c.gpuType) ?? 0) + c.replicas * c.tp);
    assert.ok((used.get('l40s') ?? 0) <= 2 && (used.get('a10g') ?? 0) <= 12 && (used.get('h100-sxm') ?? 0) <= 2);
    assert.equal(result.costPerHour!.toFixed(4), exhaustive(p).toFixed(4));
  });

  test('when two models both want the last GPUs of a type, the joint optimum decides who gets them', async () => {
    // Four L40S: alone, "chat" would take one and "code" a TP=4 replica (four), one too many together.
    const p = parse({
      ...example,
      gpus: [
        { type: 'l40s', count: 4 },
        { type: 'a10g', count: 12 },
        { type: 'h100-sxm', count: 2 },
      ],
    });
    const result = await solve(p);
    assert.equal(result.status, 'optimal');
    const l40s = result.choices.filter((c) => c.gpuType === 'l40s').reduce((s, c) => s + c.replicas * c.tp, 0);
    assert.ok(l40s <= 4, String(l40s));
    assert.equal(result.costPerHour!.toFixed(4), exhaustive(p).toFixed(4));
  });

  test('too few GPUs for the demand is infeasible, and says what to change', async () => {
    const result = await solve(
      parse({
        gpus: [{ type: 'l4', count: 1 }],
        models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', demand: { requestsPerSecond: 50 } }],
      }),
    );
    assert.equal(result.status, 'infeasible');
    assert.equal(result.choices.length, 0);
    assert.match(result.message, /cannot|No GPU type/);
  });
});

describe('gpu-workbench plan with demands', () => {
  test('--json gives the choices, the single-type comparison and the front', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(repo, 'bin', 'gpu-workbench.js'), 'plan', 'examples/plan/provisioning.json', '--json'],
      { cwd: repo, timeout: 60_000 },
    );
    const json = JSON.parse(stdout);
    assert.equal(json.status, 'optimal');
    assert.ok(json.choices.every((c: { replicas: number; tp: number }) => c.replicas >= 1 && c.tp >= 1));
    assert.ok(json.homogeneous.costPerHour > json.costPerHour);
    assert.ok(Array.isArray(json.front));
  });
});
