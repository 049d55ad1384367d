/** What the extension runs: one unchanged argument per value, no shell, and no child left behind. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { queryKubernetesNodes } from '../../src/node/kubectl.ts';
import { queryLocalHost } from '../../src/node/localGpus.ts';

const fakeBin = resolve(import.meta.dirname, '..', 'fixtures', 'fake-bin');

function hungChildren(): number {
  try {
    return execFileSync('pgrep', ['-f', '^sleep 3600$'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)
      .length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

describe('process safety', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-proc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('after 10 polls of a hung nvidia-smi, none of its processes is left running', async () => {
    const before = hungChildren();
    process.env.FAKE_NVIDIA_SMI_HANG = '1';
    try {
      for (let i = 0; i < 10; i++) {
        const host = await queryLocalHost({
          nvidiaSmiPath: join(fakeBin, 'nvidia-smi'),
          rocmSmiPath: join(dir, 'none'),
          timeoutMs: 200,
          sysinfoWorkerPath: undefined,
        });
        assert.equal(host.status.kind, 'failed');
      }
    } finally {
      delete process.env.FAKE_NVIDIA_SMI_HANG;
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hungChildren(), before);
  });

  test('a context full of shell metacharacters reaches kubectl as one unchanged argument', async () => {
    const argsFile = join(dir, 'args');
    const kubectl = join(dir, 'kubectl');
    writeFileSync(
      kubectl,
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${argsFile}'\necho '{"items": []}'\n`,
    );
    chmodSync(kubectl, 0o755);
    const context = 'prod; touch /tmp/pwned $(id) | cat & `id` > x';
    const hosts = await queryKubernetesNodes({
      kubectlPath: kubectl,
      kubeconfig: '/tmp/my config',
      context,
      timeoutMs: 5000,
    });
    assert.deepEqual(hosts, []);
    assert.deepEqual(readFileSync(argsFile, 'utf8').split('\n').filter(Boolean), [
      'get',
      'nodes',
      '-o',
      'json',
      '--request-timeout=5s',
      '--kubeconfig=/tmp/my config',
      `--context=${context}`,
    ]);
  });
});
