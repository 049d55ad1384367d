import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  parseMigList,
  parseNvidiaSmi,
  parseQueryApps,
  parseQueryGpu,
  QUERY_GPU_FIELDS,
  REMOTE_NVIDIA_SMI_COMMAND,
  splitRemoteOutput,
} from '../../src/core/gpu/nvidiaSmi.ts';

const dir = resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi');
const read = (path: string) => readFileSync(join(dir, path), 'utf8');

describe('nvidia-smi --query-gpu', () => {
  test('asks for the fields the captures were taken with', () => {
    assert.equal(
      QUERY_GPU_FIELDS.join(','),
      'index,uuid,name,pci.bus_id,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,power.draw,power.limit,clocks.sm,clocks.mem,mig.mode.current,driver_version',
    );
  });

  test('reads a real busy H100 80GB HBM3', () => {
    const parsed = parseQueryGpu(read('h100-workbench-query/query-gpu-workbench-busy.csv'));
    assert.ok(parsed.ok);
    const [gpu] = parsed.value;
    assert.equal(parsed.value.length, 1);
    assert.deepEqual(
      {
        index: gpu?.index,
        uuid: gpu?.uuid,
        name: gpu?.name,
        pci: gpu?.pciBusId,
        total: gpu?.memoryTotalMiB,
        used: gpu?.memoryUsedMiB,
        free: gpu?.memoryFreeMiB,
        util: gpu?.utilizationPercent,
        temp: gpu?.temperatureC,
        power: gpu?.powerDrawW,
        limit: gpu?.powerLimitW,
        sm: gpu?.smClockMHz,
        mem: gpu?.memoryClockMHz,
        mig: gpu?.migMode,
        driver: gpu?.driverVersion,
      },
      {
        index: 0,
        uuid: 'GPU-9731e5be-8732-18b0-f37f-9f31980b2c46',
        name: 'NVIDIA H100 80GB HBM3',
        pci: '00000000:00:06.0',
        total: 81559,
        used: 7375,
        free: 73705,
        util: 100,
        temp: 64,
        power: 681.24,
        limit: 700,
        sm: 1980,
        mem: 2619,
        mig: 'disabled',
        driver: '580.159.04',
      },
    );
  });

  test('[N/A] and [Not Supported] stay unknown, never 0', () => {
    const parsed = parseQueryGpu(read('sets/h100-busy-a10g-na/query-gpu.csv'));
    assert.ok(parsed.ok);
    const a10g = parsed.value[1];
    assert.equal(a10g?.name, 'NVIDIA A10G');
    assert.equal(a10g?.utilizationPercent, undefined);
    assert.equal(a10g?.powerDrawW, undefined);
    assert.equal(a10g?.powerLimitW, undefined);
    assert.equal(a10g?.migMode, undefined);
    assert.equal(a10g?.memoryUsedMiB, 0);
  });

  test('empty output and "No devices were found" mean no GPUs', () => {
    assert.deepEqual(parseQueryGpu(''), { ok: true, value: [] });
    assert.deepEqual(parseQueryGpu(read('sets/no-devices/query-gpu.csv')), { ok: true, value: [] });
  });

  test("a driver failure, an unknown field and garbage come back as nvidia-smi's own words", () => {
    const failed = parseQueryGpu(read('sets/driver-failed/query-gpu.csv'));
    assert.equal(failed.ok, false);
    assert.match(
      failed.ok ? '' : failed.message,
      /NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/,
    );
    const badField = parseQueryGpu(read('h100-80gb-hbm3-driver-580/bad-field.txt'));
    assert.match(badField.ok ? '' : badField.message, /Field "bogus" is not a valid field to query/);
    assert.equal(parseQueryGpu('\u0000\u0001binary, junk').ok, false);
    // The 21-column capture is not the 15 fields asked for.
    assert.equal(parseQueryGpu(read('h100-80gb-hbm3-driver-580/query-gpu-busy.csv')).ok, false);
  });
});

describe('nvidia-smi --query-compute-apps and -L', () => {
  test('reads a real process: PyTorch holding 7366 MiB', () => {
    const parsed = parseQueryApps(read('h100-workbench-query/query-apps-busy.csv'));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.get('GPU-9731e5be-8732-18b0-f37f-9f31980b2c46'), [
      { pid: 407, name: 'python3', usedMemoryMiB: 7366 },
    ]);
    assert.equal(parseQueryApps(read('h100-workbench-query/query-apps-idle.csv')).ok, true);
  });

  test('keeps a process name with commas whole and [N/A] memory unknown', () => {
    const parsed = parseQueryApps('GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77, 31337, python3 -c "a, b", [N/A]\n');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.get('GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77'), [
      { pid: 31337, name: 'python3 -c "a, b"', usedMemoryMiB: undefined },
    ]);
    assert.equal(parseQueryApps('GPU-x, notapid, python3, 12\n').ok, false);
  });

  test('reads MIG instances under their GPU from nvidia-smi -L', () => {
    const migs = parseMigList(read('sets/mig-a100/list.txt'));
    assert.deepEqual(
      migs.get('GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77')?.map((m) => [m.profile, m.id, m.uuid]),
      [
        ['3g.20gb', 0, 'MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f'],
        ['2g.10gb', 1, 'MIG-cba663e8-9bed-5b25-b243-5985ef7c9beb'],
        ['1g.5gb', 2, 'MIG-1e099852-3624-56c0-8064-c5db1211e44f'],
      ],
    );
    assert.equal(migs.has('GPU-68cdb8b8-b6fb-9b4e-f4d5-0b8e0b9b1f3a'), false);
  });

  test('joins GPUs, processes and MIG instances', () => {
    const set = (name: string) => ({
      queryGpu: read(`sets/${name}/query-gpu.csv`),
      queryApps: read(`sets/${name}/query-apps.csv`),
      list: read(`sets/${name}/list.txt`),
    });
    const mig = parseNvidiaSmi(set('mig-a100'));
    assert.ok(mig.ok);
    assert.equal(mig.value[0]?.migMode, 'enabled');
    assert.equal(mig.value[0]?.migInstances.length, 3);
    assert.equal(mig.value[0]?.processes[0]?.name, '/opt/venv/bin/python3 -m vllm.entrypoints.openai.api_server');
    assert.equal(mig.value[1]?.migInstances.length, 0);
    const busy = parseNvidiaSmi(set('h100-busy-a10g-na'));
    assert.ok(busy.ok);
    assert.equal(busy.value[0]?.processes[0]?.pid, 407);
    assert.deepEqual(busy.value[1]?.processes, []);
  });
});

describe('the SSH command', () => {
  test('is one constant line whose output a real H100 host split back into its three parts', () => {
    assert.doesNotMatch(REMOTE_NVIDIA_SMI_COMMAND, /\$|`|\||&|>|</);
    const parts = splitRemoteOutput(read('h100-workbench-query/remote-combined-busy.txt'));
    const parsed = parseNvidiaSmi(parts);
    assert.ok(parsed.ok);
    assert.equal(parsed.value[0]?.name, 'NVIDIA H100 80GB HBM3');
    assert.equal(parsed.value[0]?.processes[0]?.usedMemoryMiB, 7366);
  });
});
