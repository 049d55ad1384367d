import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parseDcgmQueryResponse } from '../../src/core/gpu/dcgm.ts';

const dir = resolve(import.meta.dirname, '..', 'fixtures', 'prometheus');
const json = (name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));

describe("DCGM metrics from Prometheus's query API", () => {
  test('a real Prometheus answer becomes one host per Hostname', () => {
    const parsed = parseDcgmQueryResponse(json('query-response-prometheus-2.42.json'));
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.value.map((h) => [h.id, h.gpus.map((g) => `${g.index}:${g.name}`)]),
      [
        ['prometheus:gpu-node-a', ['0:NVIDIA H100 80GB HBM3', '1:NVIDIA H100 80GB HBM3']],
        ['prometheus:gpu-node-b', ['0:NVIDIA A100-SXM4-40GB']],
      ],
    );
    const [busy, idle] = parsed.value[0]!.gpus;
    assert.deepEqual(
      [busy?.memoryUsedMiB, busy?.memoryTotalMiB, busy?.utilizationPercent, busy?.driverVersion],
      [73036, 73036 + 8043, 87, '580.159.04'],
    );
    assert.deepEqual(busy?.workloads, [{ namespace: 'serving', pod: 'llama-70b-0', container: 'vllm' }]);
    // GPU 1 is idle: 33 C and no pod.
    assert.deepEqual([idle?.temperatureC, idle?.workloads], [33, []]);
    // The MIG A100's memory is the sum of its instances: used 10 + 5000, total 19967 + 9877.
    const a100 = parsed.value[1]!.gpus[0]!;
    assert.deepEqual([a100.memoryUsedMiB, a100.memoryTotalMiB, a100.migInstances.length], [5010, 29844, 2]);
  });

  test('a Prometheus error, a non-vector result and garbage are reported, never thrown', () => {
    const error = parseDcgmQueryResponse(json('query-error-prometheus-2.42.json'));
    assert.equal(error.ok, false);
    assert.match(error.ok ? '' : error.message, /Prometheus refused the query: invalid parameter "query"/);
    assert.equal(parseDcgmQueryResponse({ status: 'success', data: { resultType: 'matrix', result: [] } }).ok, false);
    assert.equal(parseDcgmQueryResponse('<html>').ok, false);
    assert.equal(parseDcgmQueryResponse(null).ok, false);
    // Series with values that are not numbers ("NaN", garbage) are skipped.
    const odd = parseDcgmQueryResponse({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'DCGM_FI_DEV_GPU_UTIL', Hostname: 'h', gpu: '0' }, value: [1, 'NaN'] },
          { metric: null, value: [] },
        ],
      },
    });
    assert.deepEqual(odd, { ok: true, value: [] });
  });

  test('an empty answer is no hosts', () => {
    assert.deepEqual(parseDcgmQueryResponse({ status: 'success', data: { resultType: 'vector', result: [] } }), {
      ok: true,
      value: [],
    });
  });
});
