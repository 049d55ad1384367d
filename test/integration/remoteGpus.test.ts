/**
 * Remote sources against real servers: OpenSSH's sshd with the fake nvidia-smi on its PATH, a
 * real Prometheus scraping DCGM-exporter metrics, and the real kubectl against a loopback API.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DCGM_QUERY } from '../../src/core/gpu/dcgm.ts';
import { collectInventory } from '../../src/node/collectInventory.ts';
import { queryKubernetesNodes } from '../../src/node/kubectl.ts';
import { queryPrometheusDcgm } from '../../src/node/prometheus.ts';
import { querySshHost, querySshHosts, stopRemoteProcess, type SshOptions } from '../../src/node/sshGpus.ts';
import { startKubeLab, type KubeLab } from '../harness/kubeApiServer.ts';
import { freePort } from '../harness/processes.ts';
import { startPrometheusLab, type PrometheusLab } from '../harness/prometheus.ts';
import { startSshLab, type SshLab } from '../harness/sshd.ts';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures');

describe('SSH hosts through a real sshd', () => {
  let lab: SshLab;
  let options: SshOptions;
  before(async () => {
    lab = await startSshLab();
    options = {
      sshPath: '/usr/bin/ssh',
      configFile: lab.configFile,
      connectTimeoutSeconds: 2,
      commandTimeoutSeconds: 10,
      concurrency: 8,
    };
  });
  after(async () => lab?.stop());

  test('a live host answers with its GPUs and processes', async () => {
    const host = await querySshHost(lab.aliveHosts[0]!, options);
    assert.deepEqual(host.status, { kind: 'ok' });
    assert.equal(host.id, 'ssh:alive-1');
    assert.deepEqual(
      host.gpus.map((g) => g.name),
      ['NVIDIA H100 80GB HBM3', 'NVIDIA A10G'],
    );
    assert.equal(host.gpus[0]?.processes[0]?.name, 'python3');
  });

  test('MIG instances come across SSH', async () => {
    const host = await querySshHost(lab.migHost, options);
    assert.deepEqual(
      host.gpus[0]?.migInstances.map((m) => m.profile),
      ['3g.20gb', '2g.10gb', '1g.5gb'],
    );
  });

  test('a dead host and a silent host are "unreachable: <reason>" in the same poll as live ones', async () => {
    const started = Date.now();
    const hosts = await querySshHosts([lab.hangingHost, lab.deadHost, ...lab.aliveHosts, lab.hangingHost], options);
    const elapsed = Date.now() - started;
    // Duplicates are polled once; order is kept.
    assert.deepEqual(
      hosts.map((h) => h.label),
      ['hanging-box', 'dead-box', 'alive-1', 'alive-2'],
    );
    assert.deepEqual(
      hosts.map((h) => h.status.kind),
      ['unreachable', 'unreachable', 'ok', 'ok'],
    );
    assert.match(hosts[0]!.status.kind === 'unreachable' ? hosts[0]!.status.reason : '', /timed out/);
    assert.match(hosts[1]!.status.kind === 'unreachable' ? hosts[1]!.status.reason : '', /Connection refused/);
    // Polled side by side: the silent host's 2 s ConnectTimeout is paid once, not per host
    // (serially the four would take over 2 s + the others; the bound is loose on purpose).
    assert.ok(elapsed < 2000 + 4000, `took ${elapsed} ms`);
    // Next poll: last time's unreachable hosts start first; the answer keeps the configured order.
    const again = await querySshHosts(
      [lab.aliveHosts[0]!, lab.deadHost],
      { ...options, concurrency: 1 },
      new Set([lab.deadHost]),
    );
    assert.deepEqual(
      again.map((h) => [h.label, h.status.kind]),
      [
        ['alive-1', 'ok'],
        ['dead-box', 'unreachable'],
      ],
    );
  });

  test('a hostile host name is refused before ssh is ever started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-spy-'));
    const marker = join(dir, 'ran');
    const spy = join(dir, 'ssh');
    writeFileSync(spy, `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(spy, 0o755);
    try {
      for (const host of ['-oProxyCommand=touch /tmp/pwned', 'box;reboot', 'a b', '$(id)']) {
        const result = await querySshHost(host, { ...options, sshPath: spy });
        assert.equal(result.status.kind, 'unreachable');
        assert.match(result.status.kind === 'unreachable' ? result.status.reason : '', /^not polled: /);
      }
      assert.equal(existsSync(marker), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Stop process sends SIGTERM to the process on the host', async () => {
    const victim = spawn('sleep', ['300'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => victim.once('exit', (_code, signal) => r(signal)));
    const problem = await stopRemoteProcess(lab.aliveHosts[0]!, victim.pid!, options);
    assert.equal(problem, undefined);
    assert.equal(await exited, 'SIGTERM');
    assert.match((await stopRemoteProcess(lab.aliveHosts[0]!, 1, options)) ?? '', /refusing to stop pid 1/);
  });
});

describe('a fleet through a real Prometheus scraping DCGM-exporter metrics', () => {
  let lab: PrometheusLab;
  before(async () => {
    lab = await startPrometheusLab(join(fixtures, 'prometheus', 'dcgm-exporter-two-nodes.prom'));
    // 2 H100 x 7 metrics (no MIG) minus GPU 1's missing temperature-free rows + MIG rows: wait for all FB rows.
    await lab.waitForSeries('DCGM_FI_DEV_FB_USED', 4);
  });
  after(async () => lab?.stop());

  test('hosts by Hostname with memory, utilization, power, pods and MIG instances', async () => {
    const hosts = await queryPrometheusDcgm(lab.url, { timeoutMs: 5000 });
    assert.deepEqual(
      hosts.map((h) => [h.label, h.status.kind, h.gpus.length]),
      [
        ['gpu-node-a', 'ok', 2],
        ['gpu-node-b', 'ok', 1],
      ],
    );
    const [h100, idle] = hosts[0]!.gpus;
    // 73036 MiB used + 8043 MiB free = 81079 MiB total (the fixture's own figures).
    assert.deepEqual([h100?.memoryUsedMiB, h100?.memoryFreeMiB, h100?.memoryTotalMiB], [73036, 8043, 81079]);
    assert.deepEqual(
      [h100?.utilizationPercent, h100?.powerDrawW, h100?.temperatureC, h100?.smClockMHz],
      [87, 512.375, 61, 1980],
    );
    assert.deepEqual(h100?.workloads, [{ namespace: 'serving', pod: 'llama-70b-0', container: 'vllm' }]);
    assert.deepEqual(idle?.workloads, []);
    const a100 = hosts[1]!.gpus[0]!;
    assert.equal(a100.migMode, 'enabled');
    // 3g.20gb: 10 + 19957 = 19967 MiB; 2g.10gb: 5000 + 4877 = 9877 MiB; GPU: 5010 used of 29844.
    assert.deepEqual(
      a100.migInstances.map((m) => [m.profile, m.memoryUsedMiB, m.memoryTotalMiB]),
      [
        ['3g.20gb', 10, 19967],
        ['2g.10gb', 5000, 9877],
      ],
    );
    assert.deepEqual([a100.memoryUsedMiB, a100.memoryTotalMiB], [5010, 29844]);
  });

  test('a closed port and a URL that is not Prometheus each give one unreachable entry with a reason', async () => {
    const [refused] = await queryPrometheusDcgm(`http://127.0.0.1:${await freePort()}`, { timeoutMs: 3000 });
    assert.equal(refused?.status.kind, 'unreachable');
    assert.match(refused?.status.kind === 'unreachable' ? refused.status.reason : '', /ECONNREFUSED/);
    const [wrong] = await queryPrometheusDcgm(lab.exporterUrl.replace('/metrics', ''), { timeoutMs: 3000 });
    assert.match(wrong?.status.kind === 'unreachable' ? wrong.status.reason : '', /HTTP 404: the answer is not JSON/);
    const [notUrl] = await queryPrometheusDcgm('prometheus:9090', { timeoutMs: 3000 });
    assert.match(notUrl?.status.kind === 'unreachable' ? notUrl.status.reason : '', /must start with http/);
  });

  test('the query it sends is the one the unit fixture was captured with', () => {
    assert.equal(
      DCGM_QUERY,
      '{__name__=~"DCGM_FI_DEV_FB_USED|DCGM_FI_DEV_FB_FREE|DCGM_FI_DEV_GPU_UTIL|DCGM_FI_DEV_POWER_USAGE|DCGM_FI_DEV_GPU_TEMP|DCGM_FI_DEV_SM_CLOCK|DCGM_FI_DEV_MEM_CLOCK"}',
    );
  });
});

describe('Kubernetes nodes through the real kubectl', () => {
  let lab: KubeLab;
  before(async () => {
    lab = await startKubeLab(join(fixtures, 'kubernetes', 'nodes.json'));
  });
  after(async () => lab?.stop());

  test('reads GPU capacity with the chosen kubeconfig and context', async () => {
    const hosts = await queryKubernetesNodes({
      kubectlPath: undefined,
      kubeconfig: lab.kubeconfig,
      context: 'lab',
      timeoutMs: 5000,
    });
    assert.deepEqual(
      hosts.map((h) => [h.label, h.kubernetes?.capacity, h.kubernetes?.allocatable]),
      [
        ['gpu-node-a', 8, 8],
        ['gpu-node-b', 0, 0],
      ],
    );
    assert.ok(lab.requests.some((r) => r.startsWith('GET /api/v1/nodes')));
  });

  test('an unknown context and an option-like context are reported, the latter before kubectl runs', async () => {
    const before = lab.requests.length;
    const [unknown] = await queryKubernetesNodes({
      kubectlPath: undefined,
      kubeconfig: lab.kubeconfig,
      context: 'nope',
      timeoutMs: 5000,
    });
    assert.match(
      unknown?.status.kind === 'unreachable' ? unknown.status.reason : '',
      /context "nope" does not exist|context was not found/,
    );
    const [option] = await queryKubernetesNodes({
      kubectlPath: undefined,
      kubeconfig: lab.kubeconfig,
      context: '--insecure-skip-tls-verify',
      timeoutMs: 5000,
    });
    assert.match(option?.status.kind === 'unreachable' ? option.status.reason : '', /starts with "-"/);
    assert.equal(lab.requests.length, before);
  });
});

describe('one inventory from every source', () => {
  test('Kubernetes capacity joins the Prometheus host of the same name', async () => {
    const prom = await startPrometheusLab(join(fixtures, 'prometheus', 'dcgm-exporter-two-nodes.prom'));
    const kube = await startKubeLab(join(fixtures, 'kubernetes', 'nodes.json'));
    try {
      await prom.waitForSeries('DCGM_FI_DEV_FB_USED', 4);
      const inventory = await collectInventory({
        prometheus: { url: prom.url, timeoutMs: 5000 },
        kubernetes: { kubectlPath: undefined, kubeconfig: kube.kubeconfig, context: 'lab', timeoutMs: 5000 },
      });
      assert.deepEqual(
        inventory.hosts.map((h) => [h.source, h.label, h.gpus.length, h.kubernetes?.capacity]),
        [
          ['prometheus', 'gpu-node-a', 2, 8],
          ['prometheus', 'gpu-node-b', 1, 0],
        ],
      );
    } finally {
      await kube.stop();
      await prom.stop();
    }
  });
});
