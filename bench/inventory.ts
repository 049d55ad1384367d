/** Inventory figures: event-loop stalls during a local refresh, SSH fan-out, Prometheus parsing. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseDcgmQueryResponse } from '../src/core/gpu/dcgm.ts';
import { queryLocalHost } from '../src/node/localGpus.ts';
import { querySshHosts } from '../src/node/sshGpus.ts';
import { startSshLab } from '../test/harness/sshd.ts';
import { median, type Row } from './report.ts';

const repo = resolve(import.meta.dirname, '..');
const fakeBin = join(repo, 'test', 'fixtures', 'fake-bin');

/** The longest event-loop stall (ms) while `work` runs, sampled at 1 ms resolution. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await work();
  histogram.disable();
  // The histogram counts delay beyond the 1 ms sampling interval, in nanoseconds.
  return histogram.max / 1e6;
}

async function localRefreshStalls(): Promise<{ first: number; steady: number }> {
  const options = {
    nvidiaSmiPath: join(fakeBin, 'nvidia-smi'),
    rocmSmiPath: join(fakeBin, 'rocm-smi'),
    timeoutMs: 10_000,
    sysinfoWorkerPath: join(repo, 'dist', 'sysinfo-worker.js'),
  };
  // The first refresh starts the systeminformation worker; later ones reuse its answer.
  const first = await longestStall(() => queryLocalHost(options));
  const stalls: number[] = [];
  for (let i = 0; i < 10; i++) stalls.push(await longestStall(() => queryLocalHost(options)));
  return { first, steady: Math.max(...stalls) };
}

async function sshFanOut(): Promise<{
  firstMs: number;
  steadyMs: number;
  connectTimeout: number;
  unreachable: number;
}> {
  const lab = await startSshLab({ aliveCount: 56, hangingCount: 8 });
  try {
    const connectTimeout = 5; // the gpuWorkbench.ssh.connectTimeoutSeconds default
    const hosts = [...lab.aliveHosts, ...lab.hangingHosts];
    const options = {
      sshPath: '/usr/bin/ssh',
      configFile: lab.configFile,
      connectTimeoutSeconds: connectTimeout,
      commandTimeoutSeconds: 10,
      concurrency: 16,
    };
    await querySshHosts(lab.aliveHosts.slice(0, 2), options); // known_hosts entries, first-connection costs
    let started = performance.now();
    const first = await querySshHosts(hosts, options);
    const firstMs = performance.now() - started;
    // Every later poll starts last poll's unreachable hosts first, as the extension does.
    const slowFirst = new Set(first.filter((h) => h.status.kind !== 'ok').map((h) => h.label));
    started = performance.now();
    await querySshHosts(hosts, options, slowFirst);
    const steadyMs = performance.now() - started;
    return { firstMs, steadyMs, connectTimeout, unreachable: slowFirst.size };
  } finally {
    await lab.stop();
  }
}

/** A Prometheus answer for `gpus` GPUs, each with the 7 DCGM series, shaped like the captured one. */
export function syntheticDcgmAnswer(gpus: number): unknown {
  const captured = JSON.parse(
    readFileSync(join(repo, 'test', 'fixtures', 'prometheus', 'query-response-prometheus-2.42.json'), 'utf8'),
  );
  const template = captured.data.result.find((r: { metric: Record<string, string> }) => !r.metric.GPU_I_PROFILE)
    .metric as Record<string, string>;
  const names = [
    'DCGM_FI_DEV_FB_USED',
    'DCGM_FI_DEV_FB_FREE',
    'DCGM_FI_DEV_GPU_UTIL',
    'DCGM_FI_DEV_POWER_USAGE',
    'DCGM_FI_DEV_GPU_TEMP',
    'DCGM_FI_DEV_SM_CLOCK',
    'DCGM_FI_DEV_MEM_CLOCK',
  ];
  const result = [];
  for (let i = 0; i < gpus; i++) {
    const host = `node-${Math.floor(i / 8)}`;
    for (const name of names) {
      result.push({
        metric: {
          ...template,
          __name__: name,
          Hostname: host,
          gpu: String(i % 8),
          UUID: `GPU-${i.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`,
        },
        value: [1795372409.384, String((i * 7) % 100)],
      });
    }
  }
  return { status: 'success', data: { resultType: 'vector', result } };
}

function prometheusParse(gpus: number): number {
  const text = JSON.stringify(syntheticDcgmAnswer(gpus));
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const parsed = parseDcgmQueryResponse(JSON.parse(text));
    times.push(performance.now() - started);
    if (!parsed.ok || parsed.value.reduce((n, h) => n + h.gpus.length, 0) !== gpus)
      throw new Error('synthetic answer did not parse');
  }
  return median(times);
}

export async function inventoryRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const local = await localRefreshStalls();
  rows.push({
    figure: 'local refresh, longest event-loop stall over 10 refreshes',
    value: local.steady,
    unit: 'ms',
    baseline: 5,
    baselineNote: 'budget',
  });
  rows.push({
    figure: '  first refresh (also starts the systeminformation worker)',
    value: local.first,
    unit: 'ms',
    baseline: 5,
    baselineNote: 'budget',
  });
  const ssh = await sshFanOut();
  const sshBudget = {
    unit: 's',
    baseline: ssh.connectTimeout + 1,
    baselineNote: `budget: ConnectTimeout ${ssh.connectTimeout} s + 1 s`,
  };
  rows.push({
    figure: `64 SSH hosts, 8 silent (${ssh.unreachable} unreachable), concurrency 16: every later poll`,
    value: ssh.steadyMs / 1000,
    ...sshBudget,
  });
  rows.push({
    figure: '  the same, first poll (no history: silent hosts may start last)',
    value: ssh.firstMs / 1000,
    ...sshBudget,
  });
  rows.push({
    figure: 'parse a Prometheus answer for 1,024 GPUs (JSON.parse + model)',
    value: prometheusParse(1024),
    unit: 'ms',
    baseline: 20,
    baselineNote: 'budget',
  });
  return rows;
}
