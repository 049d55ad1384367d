/** queryLocalGpus against a real child process: the fake nvidia-smi printing real captures. */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { queryLocalGpus } from '../../src/node/nvidiaSmi.ts';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures');
const fake = join(fixtures, 'fake-bin', 'nvidia-smi');

describe('local nvidia-smi', () => {
  afterEach(() => {
    delete process.env.FAKE_NVIDIA_SMI_FIXTURE;
    delete process.env.FAKE_NVIDIA_SMI_EXIT;
    delete process.env.FAKE_NVIDIA_SMI_HANG;
  });

  test('reads the GPUs it reports', async () => {
    process.env.FAKE_NVIDIA_SMI_FIXTURE = join(fixtures, 'nvidia-smi', 'foundation-query.csv');
    const result = await queryLocalGpus(fake, 5000);
    assert.equal(result.kind, 'gpus');
    assert.equal(result.kind === 'gpus' ? result.gpus[0]?.name : '', 'NVIDIA H100 80GB HBM3');
  });

  test('a driver failure (exit 9) is reported with nvidia-smi\'s message', async () => {
    process.env.FAKE_NVIDIA_SMI_FIXTURE = join(fixtures, 'nvidia-smi', 'driver-failed.txt');
    process.env.FAKE_NVIDIA_SMI_EXIT = '9';
    const result = await queryLocalGpus(fake, 5000);
    assert.equal(result.kind, 'failed');
    assert.match(result.kind === 'failed' ? result.message : '', /failed: NVIDIA-SMI has failed because it couldn't communicate/);
  });

  test('a hung nvidia-smi is killed at the timeout and reported as timed out', async () => {
    process.env.FAKE_NVIDIA_SMI_HANG = '1';
    const started = Date.now();
    const result = await queryLocalGpus(fake, 500);
    assert.ok(Date.now() - started < 5000, 'the query waited far past its timeout');
    assert.equal(result.kind, 'failed');
    assert.match(result.kind === 'failed' ? result.message : '', /timed out after 0\.5 s/);
  });

  test('a relative or missing configured path is refused, not searched in the workspace', async () => {
    for (const path of ['./evil.sh', 'nvidia-smi', join(fixtures, 'does-not-exist')]) {
      const result = await queryLocalGpus(path, 5000);
      assert.equal(result.kind, 'noNvidiaSmi', path);
    }
  });
});
