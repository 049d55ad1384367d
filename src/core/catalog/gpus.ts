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
    // Ray accepts "A10" and turns it into "A10G" (LLMConfig.validate_accelerator_type).
    labelAliases: [/^g5\./i, /^A10G?$/i],
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
    // PyTorch: "23.68 GiB total capacity" on an RTX 4090 (github.com/zai-org/CogVideo/issues/36).
    reservedMiB: 316,
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
  // Cards added for 2026 fleets. Memory, bandwidth and dense (no sparsity) tensor FLOPS from the
  // vendors' datasheets; memoryMiB is the datasheet capacity where no nvidia-smi total was at hand
  // (noted). Prices: typical on-demand US$ per GPU-hour late 2025 at the page named (approximate).
  {
    id: 'b300',
    computeCapability: 103,
    // HGX B300 datasheet (nvidia.com/en-us/data-center/hgx): 288 GB HBM3e, 8 TB/s, per GPU of 8:
    // FP8 72 PF sparse / 8 / 2 = 4.5 PF dense, BF16 2.25 PF dense; NVLink 5 1.8 TB/s both ways.
    name: 'NVIDIA B300 288GB (HGX)',
    memoryMiB: 274658, // 288 GB datasheet capacity
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 8000,
    bf16Tflops: 2250,
    fp8Tflops: 4500,
    hasFp8: true,
    interconnectGBps: 900,
    interconnect: 'nvlink',
    pricePerHour: 9.0,
    priceSource: 'approximate; https://lambda.ai/pricing (B200/B300 on-demand)',
    matches: /(?<!G)\bB300\b/i,
    datacenter: true,
  },
  {
    id: 'gb200',
    computeCapability: 100,
    // GB200 NVL72 datasheet (nvidia.com/en-us/data-center/gb200-nvl72): 13.4 TB HBM3e and 576 TB/s
    // over 72 GPUs = 186 GB and 8 TB/s each; FP8 720 PF sparse / 72 / 2 = 5 PF dense, BF16 2.5 PF.
    name: 'NVIDIA GB200 (per Blackwell GPU, 186GB)',
    memoryMiB: 177383, // 186 GB datasheet capacity
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 8000,
    bf16Tflops: 2500,
    fp8Tflops: 5000,
    hasFp8: true,
    interconnectGBps: 900,
    interconnect: 'nvlink',
    pricePerHour: 10.5,
    priceSource: 'approximate; https://www.coreweave.com/pricing (GB200 NVL72, per 4-GPU node / 4)',
    matches: /\bGB200\b/i,
    datacenter: true,
  },
  {
    id: 'gb300',
    computeCapability: 103,
    // GB300 NVL72 datasheet (nvidia.com/en-us/data-center/gb300-nvl72): up to 20 TB HBM3e over 72
    // GPUs = 288 GB each, 8 TB/s; FP8 dense 5 PF, BF16 dense 2.5 PF per GPU; NVLink 5 1.8 TB/s.
    name: 'NVIDIA GB300 (per Blackwell Ultra GPU, 288GB)',
    memoryMiB: 274658, // 288 GB datasheet capacity
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 8000,
    bf16Tflops: 2500,
    fp8Tflops: 5000,
    hasFp8: true,
    interconnectGBps: 900,
    interconnect: 'nvlink',
    pricePerHour: 12.0,
    priceSource: 'approximate; https://www.coreweave.com/pricing (GB300 NVL72)',
    matches: /\bGB300\b/i,
    datacenter: true,
  },
  {
    id: 'h20',
    computeCapability: 90,
    // H20 (China export part): 96 GB HBM3, 4.0 TB/s, FP8 296 TF dense, BF16 148 TF dense, NVLink 900 GB/s.
    name: 'NVIDIA H20 96GB',
    memoryMiB: 97871,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 4000,
    bf16Tflops: 148,
    fp8Tflops: 296,
    hasFp8: true,
    interconnectGBps: 450,
    interconnect: 'nvlink',
    pricePerHour: 1.5,
    priceSource: 'approximate; Chinese clouds list H20 instances, e.g. https://www.alibabacloud.com/product/ecs-gpu',
    matches: /\bH20\b(?!0)/i,
    nodeLabel: 'NVIDIA-H20',
    datacenter: true,
  },
  {
    id: 'h800',
    computeCapability: 90,
    // H800 SXM5: the H100 SXM5 die and memory (80 GB HBM3, 3.35 TB/s, BF16 989 / FP8 1979 TF dense)
    // with NVLink cut to 400 GB/s both ways.
    name: 'NVIDIA H800 80GB SXM',
    memoryMiB: 81559,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 3350,
    bf16Tflops: 989,
    fp8Tflops: 1979,
    hasFp8: true,
    interconnectGBps: 200,
    interconnect: 'nvlink',
    pricePerHour: 2.5,
    priceSource: 'approximate; Chinese clouds list H800 instances',
    matches: /\bH800\b/i,
    nodeLabel: 'NVIDIA-H800',
    datacenter: true,
  },
  {
    id: 'a800',
    computeCapability: 80,
    // A800 SXM4 80GB: the A100 80GB (2039 GB/s, BF16 312 TF, INT8 624 TOPS) with NVLink at 400 GB/s.
    name: 'NVIDIA A800 80GB SXM',
    memoryMiB: 81920,
    reservedMiB: 870,
    memoryBandwidthGBps: 2039,
    bf16Tflops: 312,
    fp8Tflops: 624,
    hasFp8: false,
    interconnectGBps: 200,
    interconnect: 'nvlink',
    pricePerHour: 1.8,
    priceSource: 'approximate; Chinese clouds list A800 instances',
    matches: /\bA800\b/i,
    datacenter: true,
  },
  {
    id: 'l20',
    computeCapability: 89,
    // L20 (Ada, China): 48 GB GDDR6, 864 GB/s, FP16/BF16 119.5 TF and FP8 239 TF dense, PCIe Gen4.
    name: 'NVIDIA L20 48GB',
    memoryMiB: 46068,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 864,
    bf16Tflops: 119.5,
    fp8Tflops: 239,
    hasFp8: true,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 0.9,
    priceSource: 'approximate; Chinese clouds list L20 instances',
    matches: /\bL20\b/i,
    nodeLabel: 'NVIDIA-L20',
    datacenter: true,
  },
  {
    id: 'rtx-pro-6000',
    computeCapability: 120,
    // RTX PRO 6000 Blackwell (Server and Workstation Editions): 96 GB GDDR7, 1792 GB/s; 4000 FP4
    // AI TOPS with sparsity = 1000 TF FP8 and 500 TF BF16 dense; PCIe Gen5 x16.
    name: 'NVIDIA RTX PRO 6000 Blackwell 96GB',
    memoryMiB: 97887,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 1792,
    bf16Tflops: 500,
    fp8Tflops: 1000,
    hasFp8: true,
    interconnectGBps: 64,
    interconnect: 'pcie',
    pricePerHour: 1.8,
    priceSource: 'approximate; https://www.runpod.io/pricing (RTX PRO 6000)',
    matches: /\bRTX PRO 6000\b/i,
    datacenter: true,
  },
  {
    id: 'a40',
    computeCapability: 86,
    // A40: 48 GB GDDR6, 696 GB/s, BF16 149.7 TF and INT8 299.3 TOPS dense, PCIe Gen4.
    name: 'NVIDIA A40 48GB',
    memoryMiB: 46068,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 696,
    bf16Tflops: 149.7,
    fp8Tflops: 299.3,
    hasFp8: false,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 0.44,
    priceSource: 'approximate; https://www.runpod.io/pricing (A40)',
    matches: /\bA40\b/i,
    nodeLabel: 'NVIDIA-A40',
    datacenter: true,
  },
  {
    id: 'a10',
    computeCapability: 86,
    // A10: 24 GB GDDR6, 600 GB/s, BF16 125 TF and INT8 250 TOPS dense, PCIe Gen4.
    name: 'NVIDIA A10 24GB',
    memoryMiB: 23028,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 600,
    bf16Tflops: 125,
    fp8Tflops: 250,
    hasFp8: false,
    interconnectGBps: 32,
    interconnect: 'pcie',
    pricePerHour: 0.75,
    priceSource: 'approximate; https://lambda.ai/pricing (1x A10)',
    matches: /\bA10\b(?![0G])/i,
    nodeLabel: 'NVIDIA-A10',
    datacenter: true,
  },
  {
    id: 't4',
    computeCapability: 75,
    // T4: 16 GB GDDR6, 320 GB/s, FP16 65 TF (no BF16: vLLM serves it in fp16), INT8 130 TOPS, PCIe
    // Gen3. PyTorch reports "14.75 GiB total capacity": 15104 of the 15360 MiB.
    name: 'NVIDIA T4 16GB',
    memoryMiB: 15360,
    reservedMiB: 256,
    memoryBandwidthGBps: 320,
    bf16Tflops: 65,
    fp8Tflops: 130,
    hasFp8: false,
    interconnectGBps: 16,
    interconnect: 'pcie',
    pricePerHour: 0.35,
    priceSource: 'https://cloud.google.com/compute/gpus-pricing (NVIDIA T4, on-demand)',
    matches: /\bT4\b/i,
    nodeLabel: 'Tesla-T4',
    labelAliases: [/^nvidia-tesla-t4$/i, /^g4dn\./i],
    datacenter: true,
  },
  {
    id: 'v100',
    computeCapability: 70,
    // V100 SXM2 32GB: 900 GB/s, FP16 tensor 125 TF (no BF16, no INT8 tensor cores: 62 TOPS DP4A),
    // NVLink 300 GB/s both ways. PyTorch reports "31.74 GiB total capacity".
    name: 'NVIDIA V100 32GB SXM2',
    memoryMiB: 32768,
    reservedMiB: 267,
    memoryBandwidthGBps: 900,
    bf16Tflops: 125,
    fp8Tflops: 62,
    hasFp8: false,
    interconnectGBps: 150,
    interconnect: 'nvlink',
    pricePerHour: 2.48,
    priceSource: 'https://cloud.google.com/compute/gpus-pricing (NVIDIA V100, on-demand)',
    matches: /\bV100\b/i,
    nodeLabel: 'Tesla-V100-SXM2-32GB',
    labelAliases: [/^nvidia-tesla-v100$/i, /^p3(dn)?\./i],
    datacenter: true,
  },
  {
    id: 'mi325x',
    // AMD Instinct MI325X datasheet: 256 GB HBM3E, 6 TB/s, BF16 1307 TF and FP8 2615 TF dense,
    // Infinity Fabric 896 GB/s peak aggregate.
    name: 'AMD Instinct MI325X 256GB',
    memoryMiB: 262144,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 6000,
    bf16Tflops: 1307,
    fp8Tflops: 2615,
    hasFp8: true,
    interconnectGBps: 448,
    interconnect: 'infinity-fabric',
    pricePerHour: 2.5,
    priceSource: 'approximate; neocloud MI325X on-demand listings',
    matches: /\bMI325X\b/i,
    datacenter: true,
  },
  {
    id: 'mi355x',
    // AMD Instinct MI355X datasheet: 288 GB HBM3E, 8 TB/s, BF16 2.5 PF and FP8 5.0 PF dense,
    // Infinity Fabric 1075 GB/s peak aggregate.
    name: 'AMD Instinct MI355X 288GB',
    memoryMiB: 294912,
    reservedMiB: DEFAULT_RESERVED_MIB,
    memoryBandwidthGBps: 8000,
    bf16Tflops: 2500,
    fp8Tflops: 5000,
    hasFp8: true,
    interconnectGBps: 537,
    interconnect: 'infinity-fabric',
    pricePerHour: 3.0,
    priceSource: 'approximate; neocloud MI355X on-demand listings',
    matches: /\bMI355X\b/i,
    datacenter: true,
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
