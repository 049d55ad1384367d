import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { formatMemoryGiB, parseNvidiaSmiGpuCsv, QUERY_GPU_FIELDS } from '../../src/core/gpu/nvidiaSmiCsv.ts';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

describe('nvidia-smi --query-gpu CSV', () => {
  test('the cut-down fixture holds exactly the real H100 capture\'s values for the fields asked', () => {
    // Columns of the full capture, in the order of its --query-gpu list (see fixtures README).
    const fullFields = ['index', 'uuid', 'name', 'pci.bus_id', 'memory.total', 'memory.used', 'memory.free', 'utilization.gpu', 'utilization.memory', 'temperature.gpu', 'power.draw', 'power.limit', 'clocks.sm', 'clocks.mem', 'clocks.max.sm', 'mig.mode.current', 'driver_version', 'compute_cap', 'persistence_mode', 'pstate', 'fan.speed'];
    const full = fixture('h100-80gb-hbm3-driver-580/query-gpu-busy.csv').trim().split(', ');
    const cut = fixture('foundation-query.csv').trim().split(', ');
    assert.deepEqual(cut, QUERY_GPU_FIELDS.map((field) => full[fullFields.indexOf(field)]));
  });

  test('reads a real H100 80GB HBM3 with a 10 GiB process on it', () => {
    const parsed = parseNvidiaSmiGpuCsv(fixture('foundation-query.csv'));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.gpus, [
      {
        index: 0,
        uuid: 'GPU-b766d601-2b99-6068-5123-485940f79881',
        name: 'NVIDIA H100 80GB HBM3',
        pciBusId: '00000000:00:06.0',
        memoryTotalMiB: 81559,
        memoryUsedMiB: 10767,
        memoryFreeMiB: 70313,
        utilizationPercent: 0,
        temperatureC: 35,
        powerDrawW: 118.63,
        powerLimitW: 700,
        driverVersion: '580.159.04',
      },
    ]);
  });

  test('[N/A] and [Not Supported] stay unknown, never 0', () => {
    const parsed = parseNvidiaSmiGpuCsv(fixture('two-gpus-na.csv'));
    assert.ok(parsed.ok);
    assert.equal(parsed.gpus.length, 2);
    const a10g = parsed.gpus[1];
    assert.equal(a10g?.name, 'NVIDIA A10G');
    assert.equal(a10g?.utilizationPercent, undefined);
    assert.equal(a10g?.powerDrawW, undefined);
    assert.equal(a10g?.powerLimitW, undefined);
    assert.equal(a10g?.memoryUsedMiB, 0);
  });

  test('empty output and "No devices were found" mean no GPUs', () => {
    assert.deepEqual(parseNvidiaSmiGpuCsv(''), { ok: true, gpus: [] });
    assert.deepEqual(parseNvidiaSmiGpuCsv('\n\n'), { ok: true, gpus: [] });
    assert.deepEqual(parseNvidiaSmiGpuCsv('No devices were found\n'), { ok: true, gpus: [] });
  });

  test('a driver failure and garbage are reported with nvidia-smi\'s own words', () => {
    const failed = parseNvidiaSmiGpuCsv(fixture('driver-failed.txt'));
    assert.equal(failed.ok, false);
    assert.match(failed.ok ? '' : failed.message, /NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
    const badField = parseNvidiaSmiGpuCsv(fixture('h100-80gb-hbm3-driver-580/bad-field.txt'));
    assert.equal(badField.ok, false);
    assert.match(badField.ok ? '' : badField.message, /Field "bogus" is not a valid field to query/);
    assert.equal(parseNvidiaSmiGpuCsv('\u0000\u0001binary, junk').ok, false);
    // A row with the 21 columns of the full capture is not the 12 fields asked for.
    assert.equal(parseNvidiaSmiGpuCsv(fixture('h100-80gb-hbm3-driver-580/query-gpu-busy.csv')).ok, false);
  });

  test('memory is shown in GiB (2^30 bytes) from MiB', () => {
    // 10767 / 1024 = 10.51 GiB; 81559 / 1024 = 79.65 GiB (an "80GB" H100 shows 79.6 GiB).
    assert.equal(formatMemoryGiB(10767, 81559), '10.5 / 79.6 GiB');
    assert.equal(formatMemoryGiB(undefined, 23028), '? / 22.5 GiB');
  });
});
