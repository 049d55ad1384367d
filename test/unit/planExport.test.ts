/** Models given by id and serving settings, and what the exports of a plan run. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { firstFitDecreasing } from '../../src/core/solver/baselines.ts';
import type { PackingResult } from '../../src/core/solver/packing.ts';
import { validatePlacement } from '../../src/core/solver/plan.ts';
import { exportKubernetes, exportVllmCommands } from '../../src/core/solver/planExport.ts';
import { parsePackingProblem, type PackingProblem } from '../../src/core/solver/problem.ts';

const parse = (raw: unknown): PackingProblem => {
  const parsed = parsePackingProblem(raw);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.value;
};
const message = (raw: unknown) => {
  const parsed = parsePackingProblem(raw);
  return parsed.ok ? 'ok' : parsed.message;
};
const pool = [{ type: 'l40s', count: 2, memoryGiB: 48, costPerHour: 1.86 }];

describe('a model given by id and serving settings', () => {
  test('Llama-3.1-8B holding 4 requests of 8192 tokens needs 20.74 GiB per GPU, by hand', () => {
    const p = parse({
      gpus: pool,
      models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4, replicas: 2 }],
    });
    // Weights: 8,030,261,248 parameters x 2 B = 14.958 GiB (vLLM logs "Model loading took 14.99 GiB").
    // vLLM's profiling peak at 256 seqs: the sampler, 256 x 128,256 vocab x 38.6 B = 1.180 GiB;
    // non-torch 0.11 GiB; CUDA graphs (newest rules: taken from the budget since v0.21.0) 0.3 +
    // 32 layers x 0.006 = 0.492 GiB. KV: 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 B = 128 KiB per
    // token x 8192 x 4 = 4 GiB. Sum 20.740 GiB, rounded up: 20.74.
    assert.equal(p.models[0]!.memoryGiB, 20.74);
    assert.deepEqual(p.models[0]!.serving, {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      maxModelLen: 8192,
      maxNumSeqs: 256,
      kvCacheDtype: 'auto',
    });
  });

  test('fp8 KV cache halves the KV part, TP 2 halves the weights', () => {
    const base = parse({
      gpus: pool,
      models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4 }],
    }).models[0]!.memoryGiB;
    const fp8 = parse({
      gpus: pool,
      models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4, kvCacheDtype: 'fp8' }],
    }).models[0]!.memoryGiB;
    assert.ok(Math.abs(base - fp8 - 2) < 0.02, `${base} - ${fp8}`);
    const tp2 = parse({
      gpus: pool,
      models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4, tp: 2 }],
    }).models[0]!.memoryGiB;
    // Weights 14.96 -> 7.48 (the embeddings split too), KV 4 -> 2, non-torch + 0.44 for NCCL and
    // custom all-reduce: 20.74 - 7.48 - 2 + 0.44 = 11.70.
    assert.ok(Math.abs(tp2 - 11.7) < 0.05, String(tp2));
  });

  test('mistakes name the field', () => {
    assert.match(
      message({ gpus: pool, models: [{ name: 'x', model: 'acme/unknown' }] }),
      /models\[0\] \(x\): "model" "acme\/unknown" is not a built-in model id/,
    );
    assert.match(
      message({ gpus: pool, models: [{ name: 'x', model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 200000 }] }),
      /"maxModelLen" must be a whole number from 1 to the model's 131072/,
    );
    assert.match(
      message({ gpus: pool, models: [{ name: 'x', model: 'meta-llama/Llama-3.1-8B-Instruct', tp: 3 }] }),
      /"tp" 3 does not divide the model's 32 attention heads/,
    );
    assert.match(
      message({ gpus: pool, models: [{ name: 'x', model: 'meta-llama/Llama-3.1-8B-Instruct', kvCacheDtype: 'int3' }] }),
      /"kvCacheDtype" must be one of/,
    );
    assert.match(
      message({ gpus: pool, models: [{ name: 'x' }] }),
      /"memoryGiB" must be positive \(or give "model" with serving settings\)/,
    );
  });
});

describe('a GPU given by catalog type', () => {
  test('brings the memory CUDA reports and the on-demand price', () => {
    const p = parse({
      gpus: [
        { type: 'h100-sxm', count: 2 },
        { type: 'mine', count: 1, memoryGiB: 24 },
      ],
      models: [{ name: 'm', memoryGiB: 10 }],
    });
    // nvidia-smi's 81,559 MiB less 480 MiB the driver keeps = 81,079 MiB, what torch reported on a
    // real H100 SXM (79.18 GiB); 81,079 / 1024 = 79.179, rounded down so nothing is over-promised.
    assert.equal(p.gpus[0]!.memoryGiB, 79.17);
    assert.equal(p.gpus[0]!.costPerHour, 4);
    assert.equal(p.gpus[1]!.costPerHour, 0);
    assert.match(
      message({ gpus: [{ type: 'mystery', count: 1 }], models: [{ name: 'm', memoryGiB: 1 }] }),
      /gpus\[0\] \(mystery\): "memoryGiB" must be positive \(or use a catalog type/,
    );
  });
});

describe('exports', () => {
  const problem = parse({
    gpus: pool,
    models: [
      { name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4, replicas: 2 },
      { name: 'embed', memoryGiB: 4, replicas: 1 },
    ],
  });
  const placement = firstFitDecreasing(problem)!;
  const result: PackingResult = { status: 'feasible', message: 'test plan', placement };

  test('the placement used here is a valid one: both chat replicas and embed on one L40S (41.48 + 4 <= 48 GiB)', () => {
    assert.deepEqual(validatePlacement(problem, placement), []);
    assert.equal(placement.gpus.filter((g) => g.replicas.length > 0).length, 1);
  });

  test('vllm serve commands run the model id with the settings it was sized for, sharing the GPU by its part', () => {
    const text = exportVllmCommands(problem, result);
    const chat = text.split('\n').filter((l) => l.includes('vllm serve "meta-llama/Llama-3.1-8B-Instruct"'));
    assert.equal(chat.length, 2);
    // 20.74 / 48 = 0.432 -> 0.44, rounded up so the replica still gets its memory.
    for (const line of chat)
      assert.match(
        line,
        /^CUDA_VISIBLE_DEVICES=0 vllm serve "meta-llama\/Llama-3\.1-8B-Instruct" --tensor-parallel-size 1 --gpu-memory-utilization 0\.44 --max-model-len 8192 --max-num-seqs 256$/,
      );
    // A model given only by memory runs under its name, with its part: 4 / 48 = 0.084 -> 0.09.
    assert.match(text, /vllm serve "embed" --tensor-parallel-size 1 --gpu-memory-utilization 0\.09$/m);
  });

  test('Kubernetes Deployments parse as YAML with the replicas, GPU product selector, limits and vLLM args', () => {
    const docs = parseAllDocuments(exportKubernetes(problem, result)).map((d) => d.toJS());
    const chat = docs.find((d) => d.metadata.name === 'chat-l40s');
    assert.equal(chat.kind, 'Deployment');
    assert.equal(chat.spec.replicas, 2);
    assert.equal(chat.spec.template.spec.nodeSelector['nvidia.com/gpu.product'], 'NVIDIA-L40S');
    const container = chat.spec.template.spec.containers[0];
    assert.equal(container.resources.limits['nvidia.com/gpu'], 1);
    // It shares GPU 0 with embed: its part, 20.74 / 48 = 0.432 -> 0.44 (as the vllm serve export),
    // not vLLM's default 0.9 twice over; the Deployment says the GPU must be shared; the image is pinned.
    assert.match(chat.metadata.annotations['gpu-workbench/gpu-sharing'], /time-slicing or MPS/);
    assert.match(container.image, /^vllm\/vllm-openai:v\d+\.\d+\.\d+$/);
    assert.deepEqual(container.args, [
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--tensor-parallel-size',
      '1',
      '--gpu-memory-utilization',
      '0.44',
      '--max-model-len',
      '8192',
      '--max-num-seqs',
      '256',
    ]);
  });
});

describe("a full GPU's parts add to at most 1", () => {
  // vLLM asks for total memory x part at start-up and will not start when less is free
  // (vllm/v1/worker/gpu_worker.py init_device): the parts of the models on one GPU must add to <= 1.
  const sharedBy = (sizes: [string, number][], gpuGiB: number) => {
    const problem = parse({
      gpus: [{ type: 'g', count: 1, memoryGiB: gpuGiB, costPerHour: 1 }],
      models: sizes.map(([name, memoryGiB]) => ({ name, memoryGiB })),
    });
    const result: PackingResult = {
      status: 'optimal',
      message: 'hand-made plan',
      placement: {
        gpus: [
          {
            gpuType: 'g',
            gpuIndex: 0,
            replicas: sizes.map(([model, memoryGiB]) => ({ model, replica: 0, memoryGiB })),
          },
        ],
      },
    };
    assert.deepEqual(validatePlacement(problem, result.placement!), []);
    const shares = (text: string) => [...text.matchAll(/--gpu-memory-utilization (\S+)/g)].map((m) => Number(m[1]));
    return { text: exportVllmCommands(problem, result), shares };
  };

  test('rounded up to 0.01 they would add to 1.02; rounded up to 0.001 they add to 0.994', () => {
    // 20.74 + 2 x 28.94 = 78.62 of 79.17 GiB. By hand: 20.74 / 79.17 = 0.26197, 28.94 / 79.17 = 0.36554;
    // up to 0.01: 0.27 + 2 x 0.37 = 1.01 (the third vLLM would not start); up to 0.001: 0.262 + 0.366 x 2 = 0.994.
    const { text, shares } = sharedBy(
      [
        ['chat', 20.74],
        ['batch-a', 28.94],
        ['batch-b', 28.94],
      ],
      79.17,
    );
    assert.deepEqual(shares(text), [0.262, 0.366, 0.366]);
    assert.doesNotMatch(text, /rounded down/);
  });

  test('a GPU full to within 0.001 per model gets its parts rounded down, and says so', () => {
    // 3.3334 + 3.3333 + 3.3333 = 10 GiB on a 10 GiB GPU: up to 0.001 that is 0.334 x 3 = 1.002; down: 0.333 x 3 = 0.999.
    const { text, shares } = sharedBy(
      [
        ['a', 3.3334],
        ['b', 3.3333],
        ['c', 3.3333],
      ],
      10,
    );
    assert.deepEqual(shares(text), [0.333, 0.333, 0.333]);
    assert.match(text, /^# Full to within rounding: g GPU 0: .*rounded down to 0\.001/m);
  });
});

describe('models without a model id', () => {
  test('the exports name the models given by memory only, and leave the ones given by id alone', () => {
    const problem = parse({
      gpus: pool,
      models: [
        { name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4 },
        { name: 'embed', memoryGiB: 4 },
      ],
    });
    const result: PackingResult = { status: 'optimal', message: 'test plan', placement: firstFitDecreasing(problem)! };
    for (const text of [exportKubernetes(problem, result), exportVllmCommands(problem, result)])
      assert.match(text, /^# No model id for embed \(given by memory only\): replace each name/m);
    const withIds = parse({ gpus: pool, models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct' }] });
    const placed: PackingResult = { status: 'optimal', message: 'test plan', placement: firstFitDecreasing(withIds)! };
    assert.doesNotMatch(exportKubernetes(withIds, placed), /No model id/);
  });
});
