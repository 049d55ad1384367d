/**
 * What a card really delivers, as published microbenchmarks measured it, rather than its datasheet
 * peak: streaming memory bandwidth, and dense GEMM throughput in 16-bit and 8-bit. Keyed by the ids
 * of catalog/gpus.ts. A card with no entry gets its datasheet peaks times the default fractions
 * below, and says so.
 */
import type { GpuSpec } from '../catalog/gpus.ts';

/** Achieved figures of one card, and where they come from. */
export interface AchievedHardware {
  /** Sustained memory bandwidth a streaming kernel reaches, GB/s. */
  memoryGBps: number;
  /** Dense bf16 GEMM throughput reached on large matrices, TFLOPS. */
  bf16Tflops: number;
  /** Dense fp8 GEMM throughput reached on large matrices, TFLOPS (or int8 where there is no fp8). */
  fp8Tflops: number;
  /**
   * Share of the achieved figures the serving stack's kernels reach on this card relative to
   * NVIDIA's CUDA kernels (1 on NVIDIA). Not a microbenchmark: a fitted factor, said so wherever used.
   */
  softwareEfficiency?: number;
  source: string;
}

/**
 * Used where no microbenchmark is listed: the streaming efficiency the H100 and H200 entries show
 * (about 87-88 % of the datasheet bandwidth), taken for other NVIDIA HBM and GDDR parts.
 */
export const DEFAULT_MEMORY_FRACTION = 0.88;
/** Share of the dense datasheet peak a large cuBLAS GEMM sustains (H100's 720 of 989 bf16 TFLOPS is 0.73). */
export const DEFAULT_COMPUTE_FRACTION = 0.75;

/**
 * AMD cards without an entry take MI300X's serving-kernel factor (ROCm builds of the engines), said
 * so in their explanation.
 */
export const ROCM_SOFTWARE_EFFICIENCY = 0.65;

const NOT_REVERIFIED = 'figures read from the cited pages when this table was written, not re-measured here';
const SEMIANALYSIS_GEMM =
  'SemiAnalysis, "MI300X vs H100 vs H200 Benchmark Part 1: Training" (2024-12-22), GEMM chart: https://semianalysis.com/2024/12/22/mi300x-vs-h100-vs-h200-benchmark-part-1-training/';

/**
 * Figures read from the cited pages (charts read by eye, so about +/- 5 %). Bandwidths are
 * device-to-device copy or STREAM-like kernels, not the datasheet peak.
 */
export const ACHIEVED_HARDWARE: Readonly<Record<string, AchievedHardware>> = {
  'h100-sxm': {
    memoryGBps: 2900,
    bf16Tflops: 720,
    fp8Tflops: 1280,
    source: `${SEMIANALYSIS_GEMM}; bandwidth ~2.9 TB/s of 3.35 from NVIDIA nvbandwidth/STREAM-style device copies (https://github.com/NVIDIA/nvbandwidth); ${NOT_REVERIFIED}`,
  },
  h200: {
    memoryGBps: 4200,
    bf16Tflops: 720,
    fp8Tflops: 1280,
    source: `${SEMIANALYSIS_GEMM} (H200 has H100's compute); bandwidth ~4.2 TB/s of 4.8 (same ~88 % streaming efficiency as H100's HBM3); ${NOT_REVERIFIED}`,
  },
  mi300x: {
    memoryGBps: 4300,
    bf16Tflops: 620,
    fp8Tflops: 990,
    softwareEfficiency: ROCM_SOFTWARE_EFFICIENCY,
    source: `${SEMIANALYSIS_GEMM}; bandwidth ~4.3 TB/s of 5.3 from Chips and Cheese, "Testing AMD's Giant MI300X" (https://chipsandcheese.com/p/testing-amds-giant-mi300x); ${NOT_REVERIFIED}. ROCm serving kernels (paged attention, skinny GEMMs, RCCL) x 0.65: fitted to the issue's finding that a datasheet roofline over-predicted MI300X serving ~3x where it over-predicted NVIDIA cards ~1.9x`,
  },
  'a100-80gb': {
    memoryGBps: 1750,
    bf16Tflops: 250,
    fp8Tflops: 500,
    source:
      'NVIDIA A100 tuning guide / MLPerf-era cuBLAS figures: ~80 % of 312 TFLOPS bf16, ~86 % of 2.04 TB/s (https://docs.nvidia.com/cuda/ampere-tuning-guide/); figures read when this table was written, not re-measured here',
  },
};

export interface CardRates {
  bytesPerSecond: number;
  bf16FlopsPerSecond: number;
  fp8FlopsPerSecond: number;
  /** One line: the figures and their source. */
  explanation: string;
}

export function cardRates(gpu: GpuSpec): CardRates {
  const measured = ACHIEVED_HARDWARE[gpu.id];
  if (measured) {
    const software = measured.softwareEfficiency ?? 1;
    return {
      bytesPerSecond: measured.memoryGBps * 1e9 * software,
      bf16FlopsPerSecond: measured.bf16Tflops * 1e12 * software,
      fp8FlopsPerSecond: (gpu.hasFp8 ? measured.fp8Tflops : measured.bf16Tflops) * 1e12 * software,
      explanation: `${gpu.name}: ${measured.memoryGBps} GB/s, ${measured.bf16Tflops} bf16 / ${measured.fp8Tflops} fp8 TFLOPS achieved (datasheet ${gpu.memoryBandwidthGBps} GB/s, ${gpu.bf16Tflops} / ${gpu.fp8Tflops})${software !== 1 ? `, x ${software} for the serving stack's kernels on this card (fitted, not measured)` : ''}; source: ${measured.source}.`,
    };
  }
  const amd = gpu.interconnect === 'infinity-fabric';
  const software = amd ? ROCM_SOFTWARE_EFFICIENCY : 1;
  const bf16 = gpu.bf16Tflops * DEFAULT_COMPUTE_FRACTION * software;
  return {
    bytesPerSecond: gpu.memoryBandwidthGBps * 1e9 * DEFAULT_MEMORY_FRACTION * software,
    bf16FlopsPerSecond: bf16 * 1e12,
    fp8FlopsPerSecond: (gpu.hasFp8 ? gpu.fp8Tflops * DEFAULT_COMPUTE_FRACTION * software : bf16) * 1e12,
    explanation: `${gpu.name}: no published microbenchmark on file; ${DEFAULT_MEMORY_FRACTION * 100} % of ${gpu.memoryBandwidthGBps} GB/s and ${DEFAULT_COMPUTE_FRACTION * 100} % of the datasheet TFLOPS assumed${amd ? `, x ${ROCM_SOFTWARE_EFFICIENCY} for ROCm serving kernels (MI300X's fitted factor)` : ''}.`,
  };
}
