/** The packing problem's parser, the baselines and the independent validator. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildArcFlow } from '../../src/core/solver/arcFlow.ts';
import { firstFitDecreasing, onePerGpu } from '../../src/core/solver/baselines.ts';
import { infeasibilityReason, solvePacking } from '../../src/core/solver/packing.ts';
import { placementCost, validatePlacement, type Placement } from '../../src/core/solver/plan.ts';
import { parsePackingProblem, type PackingProblem } from '../../src/core/solver/problem.ts';
import { parseProvisioningProblem } from '../../src/core/solver/provisioning.ts';

const problem: PackingProblem = {
  objective: 'cost',
  gpus: [
    { type: 'big', count: 2, memoryGiB: 80, costPerHour: 4 },
    { type: 'small', count: 4, memoryGiB: 24, costPerHour: 1 },
  ],
  models: [
    { name: 'a', memoryGiB: 60, replicas: 1, tp: 2 },
    { name: 'b', memoryGiB: 10, replicas: 2, tp: 1 },
  ],
};

describe('problem files', () => {
  test('the documented shape parses, with defaults', () => {
    const parsed = parsePackingProblem({
      gpus: [{ type: 'h100-sxm', count: 8, memoryGiB: 80, costPerHour: 4 }],
      models: [{ name: 'chat', memoryGiB: 20 }],
    });
    assert.deepEqual(parsed, {
      ok: true,
      value: {
        objective: 'cost',
        gpus: [{ type: 'h100-sxm', count: 8, memoryGiB: 80, costPerHour: 4 }],
        models: [{ name: 'chat', memoryGiB: 20, replicas: 1, tp: 1 }],
      },
    });
  });

  test('bad input is refused with the field that is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [null, /JSON object/],
      [{ gpus: [], models: [{}] }, /"gpus" must be a non-empty list/],
      [
        { gpus: [{ type: 'x', count: -1, memoryGiB: 1 }], models: [{ name: 'm', memoryGiB: 1 }] },
        /gpus\[0\] \(x\): "count" must be a whole number/,
      ],
      [
        { gpus: [{ type: 'x', count: 1, memoryGiB: 1 }], models: [{ name: 'm', memoryGiB: 1, tp: 0 }] },
        /"tp" must be a whole number from 1/,
      ],
      [
        {
          gpus: [{ type: 'x', count: 1, memoryGiB: 1 }],
          models: [
            { name: 'm', memoryGiB: 1 },
            { name: 'm', memoryGiB: 2 },
          ],
        },
        /name "m" is listed twice/,
      ],
      [
        { objective: 'speed', gpus: [{ type: 'x', count: 1, memoryGiB: 1 }], models: [{ name: 'm', memoryGiB: 1 }] },
        /"objective" must be "cost" or "gpus"/,
      ],
      [
        { gpus: [{ type: 'x', count: 5000, memoryGiB: 1 }], models: [{ name: 'm', memoryGiB: 1 }] },
        /at most 4096 GPUs/,
      ],
    ];
    for (const [raw, message] of cases) {
      const parsed = parsePackingProblem(raw);
      assert.equal(parsed.ok, false, JSON.stringify(raw));
      assert.match(parsed.ok ? '' : parsed.message, message);
    }
  });
});

describe('the validator', () => {
  const good: Placement = {
    gpus: [
      {
        gpuType: 'big',
        gpuIndex: 0,
        replicas: [
          { model: 'a', replica: 0, memoryGiB: 60 },
          { model: 'b', replica: 0, memoryGiB: 10 },
        ],
      },
      {
        gpuType: 'big',
        gpuIndex: 1,
        replicas: [
          { model: 'a', replica: 0, memoryGiB: 60 },
          { model: 'b', replica: 1, memoryGiB: 10 },
        ],
      },
    ],
  };

  test('accepts a correct plan and costs it by hand: 2 big GPUs x $4 = $8/h', () => {
    assert.deepEqual(validatePlacement(problem, good), []);
    assert.deepEqual(placementCost(problem, good), { costPerHour: 8, gpusUsed: 2 });
  });

  test('rejects each kind of broken plan', () => {
    const broken: [Placement, RegExp][] = [
      [
        {
          gpus: [
            { ...good.gpus[0]!, replicas: [...good.gpus[0]!.replicas, { model: 'b', replica: 1, memoryGiB: 10 }] },
            good.gpus[1]!,
          ],
        },
        /holds 80\.00 GiB|b replica 1: 2 of 1 shards/,
      ],
      [{ gpus: [good.gpus[0]!] }, /a replica 0: 1 of 2 shards placed/],
      [{ gpus: [good.gpus[0]!, { ...good.gpus[1]!, gpuIndex: 0 }] }, /big#0 appears twice/],
      [
        { gpus: [good.gpus[0]!, { ...good.gpus[1]!, gpuType: 'small', gpuIndex: 0 }] },
        /holds 70\.00 GiB, more than its 24 GiB/,
      ],
      [{ gpus: [good.gpus[0]!, { ...good.gpus[1]!, gpuIndex: 7 }] }, /big#7 is beyond the 2 GPUs/],
      [{ gpus: [...good.gpus, { gpuType: 'big', gpuIndex: 1, replicas: [] }] }, /appears twice/],
      [
        {
          gpus: [
            {
              gpuType: 'big',
              gpuIndex: 0,
              replicas: [
                { model: 'a', replica: 0, memoryGiB: 60 },
                { model: 'a', replica: 0, memoryGiB: 60 },
              ],
            },
            {
              gpuType: 'small',
              gpuIndex: 0,
              replicas: [
                { model: 'b', replica: 0, memoryGiB: 10 },
                { model: 'b', replica: 1, memoryGiB: 10 },
              ],
            },
          ],
        },
        /a replica 0: two shards on one GPU|holds 120/,
      ],
    ];
    for (const [plan, message] of broken) assert.match(validatePlacement(problem, plan).join('\n'), message);
  });
});

describe('baselines', () => {
  test('first-fit decreasing and one-per-GPU give valid plans, the latter never cheaper', () => {
    const ffd = firstFitDecreasing(problem)!;
    const single = onePerGpu(problem)!;
    assert.deepEqual(validatePlacement(problem, ffd), []);
    assert.deepEqual(validatePlacement(problem, single), []);
    // One per GPU: a on 2 big ($8), each b on a small ($1 each): $10/h by hand.
    assert.deepEqual(placementCost(problem, single), { costPerHour: 10, gpusUsed: 4 });
    assert.ok(placementCost(problem, ffd).costPerHour <= 10);
  });
});

describe('the arc-flow model', () => {
  test('has one integer variable per arc, GPU type and model/type pair, every one bounded', () => {
    const { program } = buildArcFlow(problem);
    assert.ok((program.generals ?? []).length > 0);
    for (const name of program.generals ?? []) {
      const bound = program.bounds?.find((b) => b.name === name)?.bound;
      assert.ok(bound && bound.kind === 'between' && Number.isFinite(bound.ub), `${name} is bounded`);
    }
  });

  test('says why a problem cannot be solved', () => {
    assert.match(
      infeasibilityReason({ ...problem, models: [{ name: 'huge', memoryGiB: 100, replicas: 1, tp: 1 }] }) ?? '',
      /huge needs 1 GPU\(s\) with 100 GiB each, and no GPU type has that/,
    );
    assert.match(
      infeasibilityReason({ ...problem, models: [{ name: 'wide', memoryGiB: 10, replicas: 1, tp: 8 }] }) ?? '',
      /wide needs 8 GPU\(s\)/,
    );
    assert.match(
      infeasibilityReason({ ...problem, models: [{ name: 'many', memoryGiB: 20, replicas: 20, tp: 1 }] }) ?? '',
      /need 400\.0 GiB in all, the pool has 256\.0 GiB/,
    );
  });
});

describe('provisioning problem files', () => {
  const ok = {
    gpus: [{ type: 'l4' }],
    models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', demand: { requestsPerSecond: 5 } }],
  };
  const message = (raw: unknown) => {
    const parsed = parseProvisioningProblem(raw);
    return parsed.ok ? 'ok' : parsed.message;
  };

  test('a good file takes catalog prices and default counts', () => {
    const parsed = parseProvisioningProblem(ok);
    assert.ok(parsed.ok);
    // No price given: the catalog's on-demand $0.80/h for an L4 applies, and 512 may be rented.
    assert.equal(parsed.value.pools[0]!.gpu.pricePerHour, 0.8);
    assert.equal(parsed.value.models[0]!.workload.inputTokens, 1000);
    assert.equal(parsed.value.pools[0]!.count, 512);
  });

  test('each mistake names its field', () => {
    assert.match(message({}), /"gpus" and "models"/);
    assert.match(message({ ...ok, gpus: [{ type: 'tpu-v5' }] }), /gpus\[0\]: "type" must be a catalog GPU id/);
    assert.match(
      message({ ...ok, gpus: [{ type: 'l4', count: 1.5 }] }),
      /gpus\[0\] \(l4\): "count" must be a whole number/,
    );
    assert.match(message({ ...ok, gpus: [{ type: 'l4', costPerHour: -1 }] }), /"costPerHour" must be a number >= 0/);
    assert.match(
      message({ ...ok, models: [{ name: 'x', model: 'nope/nope', demand: { requestsPerSecond: 1 } }] }),
      /x: "model" must be a built-in model id/,
    );
    assert.match(
      message({
        ...ok,
        models: [{ name: 'x', model: 'meta-llama/Llama-3.1-8B-Instruct', demand: { requestsPerSecond: 0 } }],
      }),
      /x: "demand.requestsPerSecond" must be positive/,
    );
    assert.match(message({ gpus: [], models: [] }), /at least one GPU type and one model/);
  });
});

test('the examples the workbench loads are the documented ones in examples/plan', () => {
  const read = (...p: string[]) => readFileSync(join(import.meta.dirname, '..', '..', ...p), 'utf8');
  assert.equal(read('media', 'example-plan.json'), read('examples', 'plan', 'mixed-fleet.json'));
  assert.equal(read('media', 'example-provisioning.json'), read('examples', 'plan', 'provisioning.json'));
});

describe('a solver timeout from the other bundle', () => {
  // The extension runs GLPK from dist/extension.js and plans from dist/lazy.js: each bundle has its
  // own copy of SolverTimeoutError, so the class the watchdog throws is not the planner's.
  class OtherBundlesTimeout extends Error {
    constructor(limitSeconds: number) {
      super(`GLPK did not finish within its ${limitSeconds} s time limit; the solver was stopped.`);
      this.name = 'SolverTimeoutError';
    }
  }

  test('is still a timeout, with the first-fit plan offered beside it', async () => {
    const result = await solvePacking(
      problem,
      async () => {
        throw new OtherBundlesTimeout(5);
      },
      { timeLimitSeconds: 5, mipGap: 0 },
    );
    assert.equal(result.status, 'timeout');
    assert.match(result.message, /within its 5 s time limit/);
    assert.ok(result.greedy, 'first-fit places a (2 x 60 GiB on the big GPUs) and b (2 x 10 GiB)');
  });

  test('any other error stays an error', async () => {
    const result = await solvePacking(
      problem,
      async () => {
        throw new Error('worker exited');
      },
      { timeLimitSeconds: 5, mipGap: 0 },
    );
    assert.equal(result.status, 'error');
  });
});
