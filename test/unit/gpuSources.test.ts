import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  emptyGpu,
  formatMemoryGiB,
  formatSummary,
  memoryBar,
  summarizeInventory,
  type Inventory,
} from '../../src/core/gpu/inventory.ts';
import { parseKubectlNodes } from '../../src/core/gpu/kubernetesNodes.ts';
import { parseRocmSmiJson } from '../../src/core/gpu/rocmSmi.ts';
import { parseSshConfigHosts, validateSshDestination } from '../../src/core/gpu/sshHosts.ts';
import { gpusFromGraphicsControllers } from '../../src/core/gpu/systemGraphics.ts';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

describe('rocm-smi --json', () => {
  test('reads two MI300X cards with VRAM from bytes', () => {
    const parsed = parseRocmSmiJson(read('rocm-smi/mi300x-two-cards.json'));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.length, 2);
    const [card0] = parsed.value;
    assert.equal(card0?.vendor, 'amd');
    assert.equal(card0?.name, 'AMD Instinct MI300X OAM');
    // 206158430208 B / 2^20 = 196608 MiB; 19327352832 B / 2^20 = 18432 MiB (18 GiB).
    assert.equal(card0?.memoryTotalMiB, 196608);
    assert.equal(card0?.memoryUsedMiB, 18432);
    assert.equal(card0?.memoryFreeMiB, 196608 - 18432);
    assert.equal(card0?.utilizationPercent, 3);
    // The edge sensor says N/A on MI300X; the junction sensor is read instead.
    assert.equal(card0?.temperatureC, 47);
    assert.equal(card0?.powerDrawW, 173);
    assert.equal(card0?.driverVersion, '6.8.5');
  });

  test('empty output is no GPU; garbage and non-objects are errors', () => {
    assert.deepEqual(parseRocmSmiJson(''), { ok: true, value: [] });
    assert.equal(parseRocmSmiJson('WARNING: No AMD GPUs specified').ok, false);
    assert.equal(parseRocmSmiJson('[1,2]').ok, false);
    assert.deepEqual(parseRocmSmiJson('{"system": {"Driver version": "6.8.5"}}'), { ok: true, value: [] });
  });
});

describe('kubectl get nodes -o json', () => {
  test('lists GPU nodes with capacity, allocatable, MIG slices, product and memory', () => {
    const parsed = parseKubectlNodes(read('kubernetes/nodes.json'));
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.value.map((h) => h.label),
      ['gpu-node-a', 'gpu-node-b'],
    );
    const [a, b] = parsed.value;
    assert.deepEqual(a?.kubernetes, {
      capacity: 8,
      allocatable: 8,
      migResources: {},
      product: 'NVIDIA-H100-80GB-HBM3',
      memoryMiB: 81559,
    });
    assert.equal(a?.gpus.length, 8);
    assert.equal(a?.gpus[7]?.name, 'NVIDIA H100 80GB HBM3');
    assert.equal(a?.gpus[0]?.utilizationPercent, undefined);
    assert.deepEqual(b?.kubernetes?.migResources, {
      'nvidia.com/mig-1g.5gb': { capacity: 7, allocatable: 6 },
      'nvidia.com/mig-2g.10gb': { capacity: 1, allocatable: 1 },
    });
  });

  test('errors from kubectl are reported, not thrown', () => {
    const refused = parseKubectlNodes(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.message, /connection to the server localhost:8080 was refused/);
    assert.equal(parseKubectlNodes('{"kind":"Status"}').ok, false);
  });
});

describe('SSH host names', () => {
  test('accept aliases, user@host, IPv4 and bracketed IPv6', () => {
    for (const host of ['gpu-box', 'alice@gpu-box.example.com', '10.1.2.3', 'root@[fe80::1%eth0]', 'gpu_01']) {
      assert.deepEqual(validateSshDestination(host), { ok: true, host }, host);
    }
  });

  test('refuse option injection, whitespace, control characters and shell metacharacters', () => {
    const hostile = [
      '-oProxyCommand=touch /tmp/pwned',
      '--',
      'a b',
      'gpu\nbox',
      'gpu;reboot',
      'gpu$(id)',
      'gpu`id`',
      'a|b',
      'a&b',
      "a'b",
      'a"b',
      'a/b',
      'a\\b',
      '',
      '   ',
      'x'.repeat(256),
    ];
    for (const host of hostile) assert.equal(validateSshDestination(host).ok, false, JSON.stringify(host));
  });

  test('picks concrete Host aliases out of an ssh_config', () => {
    const config = [
      '# my boxes',
      'Host gpu-a gpu-b',
      '  HostName 10.0.0.5',
      'Host *.internal !bastion',
      'Host=gpu-c  # trailing comment',
      'host "gpu-d"',
      'Match host gpu-e',
      'Host -oProxyCommand=evil',
      'HostName not-a-host-line',
    ].join('\n');
    assert.deepEqual(parseSshConfigHosts(config), ['gpu-a', 'gpu-b', 'gpu-c', 'gpu-d']);
  });
});

describe('systeminformation controllers', () => {
  test('adds the GPUs no vendor tool covered and skips the ones that were', () => {
    const gpus = gpusFromGraphicsControllers(
      [
        { vendor: 'NVIDIA Corporation', model: 'GH100 [H100 SXM5 80GB]', vram: 81559, pciBus: '00:06.0' },
        {
          vendor: 'Intel Corporation',
          model: 'Arc A770',
          vram: 16384,
          pciBus: '03:00.0',
          memoryUsed: null,
          utilizationGpu: null,
        },
        { vendor: 'Apple', model: 'Apple M3 Max', vram: null },
      ],
      new Set(['nvidia']),
    );
    assert.deepEqual(
      gpus.map((g) => [g.vendor, g.name, g.memoryTotalMiB, g.memoryUsedMiB]),
      [
        ['intel', 'Arc A770', 16384, undefined],
        ['apple', 'Apple M3 Max', undefined, undefined],
      ],
    );
  });
});

describe('summary and formatting', () => {
  test('"GPU 2/3 busy, 61 GiB free" counts busy GPUs and free memory by hand', () => {
    const inventory: Inventory = {
      takenAt: '2026-11-22T18:00:00Z',
      hosts: [
        {
          id: 'local',
          label: 'This machine',
          source: 'local',
          status: { kind: 'ok' },
          gpus: [
            // busy by a process; 20480 MiB free
            { ...emptyGpu('nvidia', 'A'), memoryFreeMiB: 20480, processes: [{ pid: 1, name: 'x', usedMemoryMiB: 1 }] },
            // busy by utilization (50 % >= 5 %); 10240 MiB free
            { ...emptyGpu('nvidia', 'B'), utilizationPercent: 50, memoryFreeMiB: 10240 },
            // idle: 0 %, 0 MiB used, 32768 MiB free
            { ...emptyGpu('nvidia', 'C'), utilizationPercent: 0, memoryUsedMiB: 0, memoryFreeMiB: 32768 },
          ],
        },
        {
          id: 'ssh:dead',
          label: 'dead',
          source: 'ssh',
          status: { kind: 'unreachable', reason: 'timed out' },
          gpus: [],
        },
      ],
    };
    const summary = summarizeInventory(inventory);
    // 20480 + 10240 + 32768 = 63488 MiB = 62 GiB exactly.
    assert.deepEqual(summary, { gpus: 3, busy: 2, freeMiB: 63488, unreachableHosts: 1 });
    assert.equal(formatSummary(summary), 'GPU 2/3 busy, 62 GiB free');
    assert.equal(formatSummary({ gpus: 0, busy: 0, freeMiB: 0, unreachableHosts: 0 }), 'No GPUs');
  });

  test('memory in GiB (2^30 bytes) from MiB, and a bar that is empty when unknown', () => {
    // 7375 / 1024 = 7.20 GiB; 81559 / 1024 = 79.65 GiB (an "80GB" H100 shows 79.6 GiB).
    assert.equal(formatMemoryGiB(7375, 81559), '7.2 / 79.6 GiB');
    assert.equal(formatMemoryGiB(undefined, 23028), '? / 22.5 GiB');
    assert.equal(memoryBar(40780, 81559), '▰▰▰▰▰▱▱▱▱▱');
    assert.equal(memoryBar(undefined, 81559), '');
  });
});
