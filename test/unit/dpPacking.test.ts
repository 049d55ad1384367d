import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { solvePackingDp } from '../../src/core/solver/dpPacking.ts';

const pool = (count: number) => [{ type: 'g', count, memoryGiB: 10, costPerHour: 2 }];

describe('exact DP placement', () => {
  test('finds the packing first-fit decreasing misses', () => {
    // 4, 4, 3, 3, 3, 3 GiB on 10 GiB GPUs (20 GiB in all). By hand, FFD: 4+4 | 3+3+3 | 3 = 3 GPUs; best:
    // 4+3+3 | 4+3+3 = 2 GPUs, $4.00/h at $2/GPU-hour.
    const out = solvePackingDp({
      objective: 'cost',
      gpus: pool(8),
      models: [
        { name: 'a', memoryGiB: 4, replicas: 2, tp: 1 },
        { name: 'b', memoryGiB: 3, replicas: 4, tp: 1 },
      ],
    });
    assert.deepEqual(out, { ok: true, gpusUsed: 2, costPerHour: 4 });
  });

  test('says why it was skipped or found nothing', () => {
    const big = solvePackingDp({
      objective: 'cost',
      gpus: pool(64),
      models: [{ name: 'a', memoryGiB: 1, replicas: 17, tp: 1 }],
    });
    assert.deepEqual(big, { ok: false, reason: 'skipped: 17 replicas make 2^17 subsets (the DP stops at 16)' });
    const two = solvePackingDp({
      objective: 'cost',
      gpus: [...pool(1), { type: 'h', count: 1, memoryGiB: 5, costPerHour: 1 }],
      models: [{ name: 'a', memoryGiB: 1, replicas: 1, tp: 1 }],
    });
    assert.equal(two.ok, false);
    // 3 replicas of 6 GiB on 10 GiB GPUs need 3 GPUs; the pool has 2.
    const short = solvePackingDp({
      objective: 'cost',
      gpus: pool(2),
      models: [{ name: 'a', memoryGiB: 6, replicas: 3, tp: 1 }],
    });
    assert.deepEqual(short, { ok: false, reason: 'no placement: it needs 3 GPUs, the pool has 2' });
  });
});
