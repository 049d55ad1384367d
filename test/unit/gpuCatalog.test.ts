/** The GPU catalog: memory as CUDA reports it (published totals), names as tools print them, datasheet fields. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu, GPU_CATALOG, visibleGiB } from '../../src/core/catalog/gpus.ts';

describe('memory CUDA reports, against published totals', () => {
  // PyTorch's OOM message prints torch.cuda.mem_get_info()'s total: "GPU 0 has a total capacity of X GiB".
  const published: [string, string][] = [
    ['a100-80gb', '79.15'], // A100-SXM4-80GB (the sizing issue: 79.15, not 79.53)
    ['a800', '79.15'], // the same board and memory as the A100 80GB
    ['a100-40gb', '39.39'], // A100-SXM4-40GB
    ['h100-sxm', '79.18'], // vLLM v0.10.2 log: "Free memory on device (78.57/79.18 GiB)"
    ['t4', '14.75'], // Tesla T4
    ['v100', '31.74'], // V100-SXM2-32GB
    ['rtx-4090', '23.68'], // github.com/zai-org/CogVideo/issues/36
    // 24 GB cards (A10G, L4, A10) print 22.03-22.07 GiB by driver: 23028-23034 MiB less ~480 MiB.
    ['a10g', '22.02'],
    ['l4', '22.03'],
  ];
  for (const [id, gib] of published)
    test(`${id}: ${gib} GiB`, () => assert.equal(visibleGiB(findGpu(id)!).toFixed(2), gib));
});

describe('2026 cards by the names nvidia-smi, rocm-smi and Kubernetes labels print', () => {
  const names: [string, string][] = [
    ['NVIDIA B300 SXM6 AC', 'b300'],
    ['NVIDIA GB200', 'gb200'],
    ['NVIDIA GB300', 'gb300'],
    ['NVIDIA B200', 'b200'],
    ['NVIDIA H20', 'h20'],
    ['NVIDIA H200', 'h200'],
    ['NVIDIA H800', 'h800'],
    ['NVIDIA A800-SXM4-80GB', 'a800'],
    ['NVIDIA L20', 'l20'],
    ['NVIDIA RTX PRO 6000 Blackwell Server Edition', 'rtx-pro-6000'],
    ['NVIDIA A40', 'a40'],
    ['NVIDIA A10', 'a10'],
    ['NVIDIA A10G', 'a10g'],
    ['NVIDIA-A100-SXM4-80GB', 'a100-80gb'],
    ['Tesla T4', 't4'],
    ['Tesla-V100-SXM2-32GB', 'v100'],
    ['AMD Instinct MI325X', 'mi325x'],
    ['AMD Instinct MI355X', 'mi355x'],
  ];
  for (const [name, id] of names) test(`${name} -> ${id}`, () => assert.equal(findGpu(name)?.id, id));
});

describe('every card', () => {
  test('has memory, bandwidth, dense FLOPS, an interconnect and a price; NVIDIA cards a compute capability', () => {
    for (const g of GPU_CATALOG) {
      assert.ok(g.memoryMiB > 0 && g.memoryBandwidthGBps > 0 && g.bf16Tflops > 0 && g.fp8Tflops > 0, g.id);
      assert.ok(g.interconnectGBps > 0 && g.pricePerHour > 0, g.id);
      if (g.name.startsWith('NVIDIA')) assert.ok(g.computeCapability, `${g.id} has a compute capability`);
    }
    assert.equal(new Set(GPU_CATALOG.map((g) => g.id)).size, GPU_CATALOG.length);
  });

  test('datasheet figures by hand: GB200 NVL72 is 13.4 TB and 576 TB/s over 72 GPUs', () => {
    const gb200 = findGpu('gb200')!;
    assert.equal(Math.round((gb200.memoryMiB * 2 ** 20 * 72) / 1e12), 13); // 186 GB x 72 = 13.4 TB
    assert.equal((gb200.memoryBandwidthGBps * 72) / 1000, 576);
  });
});
