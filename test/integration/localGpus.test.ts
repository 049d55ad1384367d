/** This machine's GPUs through real child processes: the fake nvidia-smi and rocm-smi. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { graphics } from 'systeminformation';
import { queryLocalHost, readGraphicsControllers } from '../../src/node/localGpus.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const fakeBin = join(repo, 'test', 'fixtures', 'fake-bin');
const sets = join(repo, 'test', 'fixtures', 'nvidia-smi', 'sets');
const base = {
  nvidiaSmiPath: join(fakeBin, 'nvidia-smi'),
  rocmSmiPath: join(fakeBin, 'does-not-exist'),
  timeoutMs: 5000,
  sysinfoWorkerPath: undefined,
};

describe('local GPUs', () => {
  afterEach(() => {
    delete process.env.FAKE_NVIDIA_SMI_SET;
    delete process.env.FAKE_NVIDIA_SMI_EXIT;
    delete process.env.FAKE_NVIDIA_SMI_HANG;
  });

  test("nvidia-smi's GPUs come with their processes", async () => {
    const host = await queryLocalHost(base);
    assert.deepEqual(host.status, { kind: 'ok' });
    assert.deepEqual(
      host.gpus.map((g) => g.name),
      ['NVIDIA H100 80GB HBM3', 'NVIDIA A10G'],
    );
    assert.deepEqual(host.gpus[0]?.processes, [{ pid: 407, name: 'python3', usedMemoryMiB: 7366 }]);
  });

  test('MIG instances appear under their GPU', async () => {
    process.env.FAKE_NVIDIA_SMI_SET = join(sets, 'mig-a100');
    const host = await queryLocalHost(base);
    assert.deepEqual(
      host.gpus[0]?.migInstances.map((m) => m.profile),
      ['3g.20gb', '2g.10gb', '1g.5gb'],
    );
  });

  test('NVIDIA and AMD GPUs on one machine', async () => {
    const host = await queryLocalHost({ ...base, rocmSmiPath: join(fakeBin, 'rocm-smi') });
    assert.deepEqual(
      host.gpus.map((g) => `${g.vendor}:${g.name}`),
      [
        'nvidia:NVIDIA H100 80GB HBM3',
        'nvidia:NVIDIA A10G',
        'amd:AMD Instinct MI300X OAM',
        'amd:AMD Instinct MI300X OAM',
      ],
    );
  });

  test('a driver failure (exit 9) says so on the host', async () => {
    process.env.FAKE_NVIDIA_SMI_SET = join(sets, 'driver-failed');
    process.env.FAKE_NVIDIA_SMI_EXIT = '9';
    const host = await queryLocalHost(base);
    assert.equal(host.status.kind, 'failed');
    assert.match(
      host.status.kind === 'failed' ? host.status.reason : '',
      /exit 9: NVIDIA-SMI has failed because it couldn't communicate/,
    );
  });

  test('no devices is no GPU and no error', async () => {
    process.env.FAKE_NVIDIA_SMI_SET = join(sets, 'no-devices');
    const host = await queryLocalHost(base);
    assert.deepEqual([host.status, host.gpus], [{ kind: 'ok' }, []]);
  });

  test('a hung nvidia-smi is killed at the timeout and reported', async () => {
    process.env.FAKE_NVIDIA_SMI_HANG = '1';
    const host = await queryLocalHost({ ...base, timeoutMs: 500 });
    assert.equal(host.status.kind, 'failed');
    assert.match(host.status.kind === 'failed' ? host.status.reason : '', /timed out after 0\.5 s/);
  });

  test('a relative or missing configured path is refused, never looked up in the workspace', async () => {
    for (const path of ['./evil.sh', 'nvidia-smi', join(fakeBin, 'nope')]) {
      const host = await queryLocalHost({ ...base, nvidiaSmiPath: path });
      assert.equal(host.status.kind, 'failed', path);
      assert.match(host.status.kind === 'failed' ? host.status.reason : '', /is not an absolute path to an executable/);
    }
  });

  test('systeminformation in its worker thread sees what it sees in-process', async () => {
    const worker = join(repo, 'dist', 'sysinfo-worker.js');
    assert.ok(existsSync(worker), 'dist/sysinfo-worker.js is missing: run "npm run build" first');
    const [fromWorker, direct] = await Promise.all([readGraphicsControllers(worker, 20_000), graphics()]);
    assert.deepEqual(
      fromWorker.map((c) => c.model),
      direct.controllers.map((c) => c.model),
    );
  });
});
