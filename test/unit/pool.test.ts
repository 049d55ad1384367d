/** The packing pool from the live inventory: real nvidia-smi output and a real kubectl node list. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { Host, Inventory } from '../../src/core/gpu/inventory.ts';
import { parseKubectlNodes } from '../../src/core/gpu/kubernetesNodes.ts';
import { parseQueryGpu } from '../../src/core/gpu/nvidiaSmi.ts';
import { poolFromInventory } from '../../src/core/solver/pool.ts';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures');
const h100 = parseQueryGpu(
  readFileSync(join(fixtures, 'nvidia-smi', 'h100-workbench-query', 'query-gpu-workbench-busy.csv'), 'utf8'),
);
assert.ok(h100.ok);
const host = (id: string, gpus: Host['gpus'], status: Host['status'] = { kind: 'ok' }): Host => ({
  id,
  label: id,
  source: 'ssh',
  status,
  gpus,
});

test('GPUs on reachable hosts, grouped by catalog type, with the memory CUDA can use and the catalog price', () => {
  const inventory: Inventory = {
    takenAt: '2026-11-22T00:00:00Z',
    hosts: [
      host('local', h100.value),
      host('gpu-a', [...h100.value, ...h100.value]),
      host('down', h100.value, { kind: 'unreachable', reason: 'timeout' }),
    ],
  };
  const pool = poolFromInventory(inventory);
  // The captured H100 reports 81,559 MiB; less the 480 MiB the driver keeps: 81,079 MiB = 79.17 GiB.
  // Three GPUs on two reachable hosts; the unreachable host's GPU is not counted.
  assert.deepEqual(pool, [{ type: 'h100-sxm', count: 3, memoryGiB: 79.17, costPerHour: 4, hosts: ['local', 'gpu-a'] }]);
});

test('Kubernetes nodes count by their GPU capacity and product label; a MIG-partitioned node with no whole GPUs adds none', () => {
  const nodes = parseKubectlNodes(readFileSync(join(fixtures, 'kubernetes', 'nodes.json'), 'utf8'));
  assert.ok(nodes.ok);
  const pool = poolFromInventory({ takenAt: '', hosts: nodes.value });
  const h = pool.find((p) => p.type === 'h100-sxm');
  assert.equal(h?.count, 8);
  assert.equal(
    pool.find((p) => p.type === 'a100-40gb'),
    undefined,
  );
});

test('an empty inventory gives an empty pool', () => {
  assert.deepEqual(poolFromInventory({ takenAt: '', hosts: [] }), []);
});
