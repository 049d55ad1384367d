/**
 * GPU specifications from the vendors' datasheets (dense tensor throughput, no sparsity), and a
 * default hourly price a user can override. `memoryMiB` is what nvidia-smi reports as
 * `memory.total`; CUDA sees that minus `memory.reserved` (480 MiB measured on an H100 80GB HBM3,
 * driver 580: 81559 - 480 = 81079 MiB = 79.18 GiB, the figure vLLM logs).
 */

export interface GpuSpec {
  id: string;
  name: string;
  memoryMiB: number;
  reservedMiB: number;
  /** Peak memory bandwidth, GB/s (10^9 bytes). */
  memoryBandwidthGBps: number;
  /** Dense bf16/fp16 tensor throughput, TFLOPS. */
  bf16Tflops: number;
  /** Dense fp8 (or int8 where there is no fp8) tensor throughput, TFLOPS. */
  fp8Tflops: number;
  hasFp8: boolean;
  /** GPU-to-GPU bandwidth per GPU and direction, GB/s (NVLink, Infinity Fabric or PCIe). */
  interconnectGBps: number;
  interconnect: 'nvlink' | 'infinity-fabric' | 'pcie';
  /** Default on-demand price, US$ per GPU-hour (typical cloud list price, late 2025). */
  pricePerHour: number;
  /** nvidia-smi / rocm-smi / Kubernetes label names that mean this GPU. */
  matches: RegExp;
  /** The `nvidia.com/gpu.product` label NVIDIA's GPU feature discovery puts on a node with this GPU. */
  nodeLabel?: string;
  /**
   * Other names for it in node selectors and configs: GKE accelerators, cloud instance types, Ray
   * Serve's accelerator_type (ray/util/accelerators/accelerators.py).
   */
  labelAliases?: readonly RegExp[];
  datacenter: boolean;
  /** CUDA compute capability x 10 (80 = sm_80); absent for AMD. Decides vLLM's kernels (MXFP4 padding). */
  computeCapability?: number;
  /** Where the price comes from. */
  priceSource?: string;
}

const DEFAULT_RESERVED_MIB = 480;

export const GPU_CATALOG: readonly GpuSpec[] = [
  {
    id: 'a10g',
    computeCapability: 86,
    name: 'NVIDIA A10G 24GB',
    memoryMiB: 23028,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 600,
    bf16Tflops: 70,
    fp8Tflops: 140,
    hasFp8: false,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 1.01,
    matches: /\bA10G\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-A10G',
    labelAliases: [/^g5\./i, /^A10G$/i],
  },
  {
    id: 'l4',
    computeCapability: 89,
    name: 'NVIDIA L4 24GB',
    memoryMiB: 23034,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 300,
    bf16Tflops: 121,
    fp8Tflops: 242.5,
    hasFp8: true,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 0.8,
    matches: /\bL4\b(?!0)/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-L4',
    labelAliases: [/^nvidia-l4$/i, /^g6\./i, /^g2-standard/i, /^L4$/i],
  },
  {
    id: 'l40s',
    computeCapability: 89,
    name: 'NVIDIA L40S 48GB',
    memoryMiB: 46068,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 864,
    bf16Tflops: 362,
    fp8Tflops: 733,
    hasFp8: true,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 1.86,
    matches: /\bL40S\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-L40S',
    labelAliases: [/^g6e\./i, /^L40S$/i],
  },
  {
    id: 'a100-40gb',
    computeCapability: 80,
    name: 'NVIDIA A100 40GB SXM',
    memoryMiB: 40960,
    // PyTorch reports "39.39 GiB total capacity" on an A100-SXM4-40GB: 40335 MiB.
    reservedMiB: 625,
    memoryBandwidthGBps: 1555,
    bf16Tflops: 312,
    fp8Tflops: 624,
    hasFp8: false,
    interconnectGBps: 300,
    interconnect: 'nvlink',
    pricePerHour: 3.0,
    matches: /\bA100\b.*\b40\s*GB\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-A100-SXM4-40GB',
    labelAliases: [/^nvidia-tesla-a100$/i, /^p4d\./i, /^a2-highgpu/i, /^A100-40G$/i],
  },
  {
    id: 'a100-80gb',
    computeCapability: 80,
    name: 'NVIDIA A100 80GB SXM',
    memoryMiB: 81920,
    // torch.cuda.mem_get_info() total on an A100-SXM4-80GB: 79.15 GiB (PyTorch's OOM message
    // "GPU 0 has a total capacity of 79.15 GiB"), i.e. 81050 MiB of the 81920 nvidia-smi shows.
    reservedMiB: 870,
    memoryBandwidthGBps: 2039,
    bf16Tflops: 312,
    fp8Tflops: 624,
    hasFp8: false,
    interconnectGBps: 300,
    interconnect: 'nvlink',
    pricePerHour: 3.5,
    matches: /\bA100\b.*\b80\s*GB\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-A100-SXM4-80GB',
    labelAliases: [
      /^nvidia-a100-80gb$/i,
      /^p4de\./i,
      /^a2-ultragpu/i,
      /^Standard_ND96amsr_A100_v4$/i,
      /^A100(-80G)?$/i,
    ],
  },
  {
    id: 'h100-pcie',
    computeCapability: 90,
    name: 'NVIDIA H100 80GB PCIe',
    memoryMiB: 81559,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 2000,
    bf16Tflops: 756,
    fp8Tflops: 1513,
    hasFp8: true,
    interconnectGBps: 64,
    interconnect: 'pcie',
    pricePerHour: 3.5,
    matches: /\bH100\b.*\bPCIe\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-H100-PCIe',
  },
  {
    id: 'h100-sxm',
    computeCapability: 90,
    name: 'NVIDIA H100 80GB SXM (HBM3)',
    memoryMiB: 81559,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 3350,
    bf16Tflops: 989,
    fp8Tflops: 1979,
    hasFp8: true,
    interconnectGBps: 450,
    interconnect: 'nvlink',
    pricePerHour: 4.0,
    matches: /\bH100\b(?!.*PCIe)/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-H100-80GB-HBM3',
    labelAliases: [
      /^nvidia-h100(-80gb|-mega-80gb)?$/i,
      /^(p5|p5e|p5en)\./i,
      /^a3-(high|mega|edge)gpu/i,
      /^Standard_ND96i?sr_H100_v5$/i,
      /^H100$/i,
    ],
  },
  {
    id: 'h200',
    computeCapability: 90,
    name: 'NVIDIA H200 141GB',
    memoryMiB: 143771,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 4800,
    bf16Tflops: 989,
    fp8Tflops: 1979,
    hasFp8: true,
    interconnectGBps: 450,
    interconnect: 'nvlink',
    pricePerHour: 5.0,
    matches: /\bH200\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-H200',
    labelAliases: [/^nvidia-h200/i],
  },
  {
    id: 'b200',
    computeCapability: 100,
    name: 'NVIDIA B200 180GB',
    memoryMiB: 183359,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 8000,
    bf16Tflops: 2250,
    fp8Tflops: 4500,
    hasFp8: true,
    interconnectGBps: 900,
    interconnect: 'nvlink',
    pricePerHour: 8.0,
    matches: /\bB200\b/i,
    datacenter: true,
    nodeLabel: 'NVIDIA-B200',
    labelAliases: [/^nvidia-b200/i],
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X 192GB',
    memoryMiB: 196608,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 5300,
    bf16Tflops: 1307,
    fp8Tflops: 2615,
    hasFp8: true,
    interconnectGBps: 448,
    interconnect: 'infinity-fabric',
    pricePerHour: 4.0,
    matches: /\bMI300X\b/i,
    datacenter: true,
    labelAliases: [/^AMD-Instinct-MI300X(-OAM)?$/i],
  },
  {
    id: 'rtx-4090',
    computeCapability: 89,
    name: 'NVIDIA GeForce RTX 4090 24GB',
    memoryMiB: 24564,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 1008,
    bf16Tflops: 165,
    fp8Tflops: 330,
    hasFp8: true,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 0.7,
    matches: /\bRTX 4090\b/i,
    datacenter: false,
  },
  {
    id: 'rtx-5090',
    computeCapability: 120,
    name: 'NVIDIA GeForce RTX 5090 32GB',
    memoryMiB: 32607,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 1792,
    bf16Tflops: 209,
    fp8Tflops: 419,
    hasFp8: true,
    interconnectGBps: 64,
    interconnect: 'pcie',
    pricePerHour: 0.9,
    matches: /\bRTX 5090\b/i,
    datacenter: false,
  },
  {
    id: 'rtx-6000-ada',
    computeCapability: 89,
    name: 'NVIDIA RTX 6000 Ada 48GB',
    memoryMiB: 49140,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 960,
    bf16Tflops: 182,
    fp8Tflops: 364,
    hasFp8: true,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 1.2,
    matches: /\bRTX 6000 Ada\b/i,
    datacenter: false,
  },
  {
    id: 'rtx-3090',
    computeCapability: 86,
    name: 'NVIDIA GeForce RTX 3090 24GB',
    memoryMiB: 24576,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 936,
    bf16Tflops: 71,
    fp8Tflops: 142,
    hasFp8: false,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 0.4,
    matches: /\bRTX 3090\b/i,
    datacenter: false,
  },
];

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Memory CUDA (and so vLLM) sees as the device total, in bytes. */
/** GiB to plan with from the MiB CUDA can use, rounded down to 0.01 so nothing is over-promised. */
export function plannableGiB(usableMiB: number): number {
  return Math.floor((usableMiB / 1024) * 100) / 100;
}

export function visibleBytes(gpu: GpuSpec): number {
  return (gpu.memoryMiB - gpu.reservedMiB) * MIB;
}

export function visibleGiB(gpu: GpuSpec): number {
  return visibleBytes(gpu) / GIB;
}

/** Longer than any GPU name or label; longer text is not matched (the `.*` patterns are quadratic on it). */
export const MAX_GPU_NAME_LENGTH = 256;

export function findGpu(idOrName: string): GpuSpec | undefined {
  if (typeof idOrName !== 'string' || idOrName.length > MAX_GPU_NAME_LENGTH) return undefined;
  const key = idOrName.trim().toLowerCase();
  const byId = GPU_CATALOG.find((g) => g.id === key);
  if (byId) return byId;
  // Kubernetes labels write "NVIDIA-H100-80GB-HBM3"; nvidia-smi writes "NVIDIA H100 80GB HBM3".
  const name = idOrName.replace(/[-_]/g, ' ');
  return GPU_CATALOG.find((g) => g.matches.test(name));
}

/**
 * The GPU a node label or config value names: a cloud alias (GKE accelerator, instance type, Ray
 * accelerator_type) first, then the catalog id or the nvidia-smi name.
 */
export function findGpuByLabel(label: string): GpuSpec | undefined {
  if (typeof label !== 'string' || label.length > MAX_GPU_NAME_LENGTH) return undefined;
  const trimmed = label.trim();
  return GPU_CATALOG.find((g) => g.labelAliases?.some((alias) => alias.test(trimmed))) ?? findGpu(trimmed);
}

/** The catalog with the user's own hourly prices (GPU id -> US$ per GPU-hour) applied. */
export function withPrices(gpus: readonly GpuSpec[], prices: Record<string, unknown>): GpuSpec[] {
  return gpus.map((g) => {
    const price = prices[g.id];
    return typeof price === 'number' && Number.isFinite(price) && price >= 0 ? { ...g, pricePerHour: price } : g;
  });
}
