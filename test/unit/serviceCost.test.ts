/**
 * The Model services view's cost figures and its links to the GPU tree, worked by hand beside each
 * assertion: $/h = GPUs x $/GPU-hour; $ per million output tokens = $/h / (tokens/s x 3600) x 1e6.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyGpu, type Inventory } from '../../src/core/gpu/inventory.ts';
import { dollarsPerMillionTokens, plannedDollarsPerMillion } from '../../src/core/services/serviceCost.ts';
import {
  figures,
  gpusByPod,
  gpusByProcess,
  serviceLabels,
  shownCost,
  withRates,
  type PlannedFleet,
} from '../../src/features/services/serviceRows.ts';

const close = (a: number | undefined, b: number) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

describe('cost per hour and $ per million output tokens', () => {
  test('by hand: $5.00/h at 1000 tokens/s is 5 / 3,600,000 x 1e6 = $1.3889 per million', () => {
    close(dollarsPerMillionTokens(5, 1000), 1.3888888888888888);
    // $32/h (8 x $4) at 2500 tokens/s: 32 / 9,000,000 x 1e6 = $3.5556.
    close(dollarsPerMillionTokens(32, 2500), 3.5555555555555554);
    assert.equal(dollarsPerMillionTokens(5, 0), undefined);
    assert.equal(dollarsPerMillionTokens(5, undefined), undefined);
  });

  test("the plan's figure: a $8/h replica planned for 2 requests/s x 200 output tokens = 400 tokens/s", () => {
    const rows = [{ model: 'meta-llama/Llama-3.1-8B-Instruct', requestsPerSecond: 2, costPerHour: 8 }];
    // 8 / (400 x 3600) x 1e6 = $5.5556 per million.
    close(
      plannedDollarsPerMillion(rows, () => 200, 'meta-llama/Llama-3.1-8B-Instruct'),
      5.555555555555555,
    );
    assert.equal(
      plannedDollarsPerMillion(rows, () => 200, 'Qwen/Qwen2.5-7B-Instruct'),
      undefined,
    );
  });

  const gpus = [
    { hostId: 'local', host: 'this machine', index: 0, uuid: 'GPU-aaaa', name: 'NVIDIA H100 80GB HBM3' },
    { hostId: 'local', host: 'this machine', index: 1, uuid: 'GPU-bbbb', name: 'NVIDIA H100 80GB HBM3' },
  ];

  test('the price setting wins over the catalog; without a plan the row says "no plan"', () => {
    const cost = shownCost(gpus, 2.5, () => ({ name: 'H100', pricePerHour: 4 }), 'm', undefined, 1000);
    // 2 GPUs x $2.50 = $5.00/h; at 1000 tokens/s, $1.39 per million (above).
    assert.equal(cost?.costPerHour, 5);
    assert.equal(cost?.priceSource, 'setting $2.50/h');
    const shown = {
      ...withRates(
        { engine: 'vllm', pid: 42, port: 8000, atMs: 0, snapshot: { kvCacheUsage: 0.25, running: 1, waiting: 0 } },
        gpus,
        undefined,
      ),
      cost,
    };
    const rows = figures(shown);
    assert.deepEqual(
      rows.filter((r) => r.label === 'cost' || r.label === '$/M output tokens').map((r) => r.description),
      ['$5.00/h (2 GPUs × setting $2.50/h)', '$1.39 measured · no plan'],
    );
    // Each GPU row carries the GPU (host, index, UUID) that a click reveals in the GPUs view.
    assert.deepEqual(
      rows.filter((r) => r.gpu).map((r) => [r.description, r.gpu?.uuid]),
      [
        ['GPU 0 NVIDIA H100 80GB HBM3 · GPU-aaaa…', 'GPU-aaaa'],
        ['GPU 1 NVIDIA H100 80GB HBM3 · GPU-bbbb…', 'GPU-bbbb'],
      ],
    );
  });

  test("the catalog's price when the setting is 0, and the plan's figure beside the measured one", () => {
    const plan: PlannedFleet = {
      rows: [{ model: 'meta-llama/Llama-3.1-8B-Instruct', requestsPerSecond: 2, costPerHour: 8 }],
      outputTokens: () => 200,
    };
    const cost = shownCost(
      gpus,
      0,
      () => ({ name: 'NVIDIA H100 80GB SXM (HBM3)', pricePerHour: 4 }),
      'meta-llama/Llama-3.1-8B-Instruct',
      plan,
      undefined,
    );
    assert.equal(cost?.costPerHour, 8);
    assert.equal(cost?.measuredPerMillion, undefined);
    close(cost?.plannedPerMillion, 5.555555555555555);
    assert.equal(
      shownCost([], 0, () => undefined, 'm', plan, 1),
      undefined,
    );
    assert.equal(
      shownCost(gpus, 0, () => undefined, 'm', plan, 1),
      undefined,
    );
  });
});

describe('services linked to the GPU tree', () => {
  const inventory: Inventory = {
    takenAt: '',
    hosts: [
      {
        id: 'local',
        label: 'this machine',
        source: 'local',
        status: { kind: 'ok' },
        gpus: [
          {
            ...emptyGpu('nvidia', 'H100'),
            index: 0,
            uuid: 'GPU-a',
            processes: [{ pid: 42, name: 'vllm', usedMemoryMiB: 1 }],
          },
          {
            ...emptyGpu('nvidia', 'H100'),
            index: 1,
            uuid: 'GPU-b',
            processes: [{ pid: 42, name: 'vllm', usedMemoryMiB: 1 }],
          },
        ],
      },
      {
        id: 'ssh:gpu-box',
        label: 'gpu-box',
        source: 'ssh',
        status: { kind: 'ok' },
        gpus: [
          {
            ...emptyGpu('nvidia', 'A10G'),
            index: 0,
            uuid: 'GPU-c',
            processes: [{ pid: 42, name: 'python3', usedMemoryMiB: 1 }],
          },
        ],
      },
      {
        id: 'prometheus:node-a',
        label: 'node-a',
        source: 'prometheus',
        status: { kind: 'ok' },
        gpus: [
          {
            ...emptyGpu('nvidia', 'H100'),
            index: 3,
            uuid: 'GPU-d',
            workloads: [{ namespace: 'serving', pod: 'llama-0', container: 'vllm' }],
          },
        ],
      },
    ],
  };

  test('the same PID on two hosts is two processes; a pod gets the GPUs DCGM saw it on', () => {
    const byProcess = gpusByProcess(inventory);
    assert.deepEqual(
      byProcess.get('local|42')?.map((g) => g.uuid),
      ['GPU-a', 'GPU-b'],
    );
    assert.deepEqual(
      byProcess.get('ssh:gpu-box|42')?.map((g) => g.uuid),
      ['GPU-c'],
    );
    assert.deepEqual(
      gpusByPod(inventory)
        .get('serving/llama-0')
        ?.map((g) => [g.hostId, g.index]),
      [['prometheus:node-a', 3]],
    );
  });

  test('the GPUs view labels each process by host and PID', () => {
    const local = withRates({ engine: 'vllm', model: 'm1', pid: 42, port: 8000, atMs: 0 }, [], undefined);
    const remote = withRates({ engine: 'sglang', pid: 42, port: 30000, atMs: 0, host: 'gpu-box' }, [], undefined);
    assert.deepEqual(
      [...serviceLabels([local, remote])],
      [
        ['local|42', 'vLLM m1'],
        ['ssh:gpu-box|42', 'SGLang'],
      ],
    );
  });
});
