/** The CLI as CI runs it: `node bin/gpu-workbench.js inventory ...` against real sshd and Prometheus. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Inventory } from '../../src/core/gpu/inventory.ts';
import { startPrometheusLab, type PrometheusLab } from '../harness/prometheus.ts';
import { FAKE_BIN, startSshLab, type SshLab } from '../harness/sshd.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const cli = join(repo, 'bin', 'gpu-workbench.js');

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env: { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}` },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('gpu-workbench inventory', () => {
  let ssh: SshLab;
  let prometheus: PrometheusLab;
  before(async () => {
    [ssh, prometheus] = await Promise.all([
      startSshLab(),
      startPrometheusLab(join(repo, 'test', 'fixtures', 'prometheus', 'dcgm-exporter-two-nodes.prom')),
    ]);
    await prometheus.waitForSeries('DCGM_FI_DEV_FB_USED', 4);
  });
  after(async () => {
    await ssh?.stop();
    await prometheus?.stop();
  });

  test('--json prints the same model the editor shows, from every source, and exits 1 for a dead host', async () => {
    const result = await runCli([
      'inventory',
      '--ssh',
      ssh.aliveHosts[0]!,
      '--ssh',
      ssh.deadHost,
      '--ssh-config',
      ssh.configFile,
      '--prometheus',
      prometheus.url,
      '--timeout',
      '5',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const inventory = JSON.parse(result.stdout) as Inventory;
    assert.deepEqual(
      inventory.hosts.map((h) => [h.id, h.status.kind, h.gpus.length]),
      [
        // The fake nvidia-smi's H100 + A10G and the fake rocm-smi's two MI300X, all on PATH.
        ['local', 'ok', 4],
        ['ssh:alive-1', 'ok', 2],
        ['ssh:dead-box', 'unreachable', 0],
        ['prometheus:gpu-node-a', 'ok', 2],
        ['prometheus:gpu-node-b', 'ok', 1],
      ],
    );
  });

  test('text output names each host and GPU and ends with the summary', async () => {
    const result = await runCli([
      'inventory',
      '--ssh',
      ssh.aliveHosts[0]!,
      '--ssh-config',
      ssh.configFile,
      '--timeout',
      '5',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'This machine (local)');
    assert.match(lines[1] ?? '', /^ {2}0 {2}NVIDIA H100 80GB HBM3 +7\.2 \/ 79\.6 GiB +100% {2}64 °C {2}681 W$/);
    assert.ok(lines.includes('alive-1 (ssh)'));
    // 6 GPUs: both H100s (a process each) and MI300X card0 (18 GiB used) are busy.
    // Free MiB: H100 73705 + A10G 22515, twice = 192440; MI300X 196608 - 18432 = 178176 and
    // 196608 - 281.4375 = 196326.5625 (295108608 B); total 566942.5625 MiB = 553.7 GiB.
    assert.equal(lines.at(-1), 'GPU 3/6 busy, 553 GiB free');
  });

  test('usage errors exit 2 with the usage text', async () => {
    for (const args of [['inventory', '--bogus'], ['frobnicate'], ['inventory', '--timeout', 'soon']]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /Usage:\n(.*\n)* {2}gpu-workbench inventory \[--ssh HOST\]/);
    }
  });
});
