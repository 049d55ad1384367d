/**
 * systeminformation's `graphics().controllers` -> inventory GPUs, for the GPUs nvidia-smi and
 * rocm-smi do not cover (Intel, Apple, AMD without ROCm). Only the fields we show are read.
 */
import { emptyGpu, type Gpu, type GpuVendor } from './inventory.ts';

/** The subset of systeminformation's Systeminformation.GraphicsControllerData that is used. */
export interface GraphicsController {
  vendor?: string;
  model?: string;
  bus?: string;
  pciBus?: string;
  vram?: number | null;
  memoryTotal?: number | null;
  memoryUsed?: number | null;
  utilizationGpu?: number | null;
  temperatureGpu?: number | null;
  driverVersion?: string;
}

export function vendorOf(name: string): GpuVendor {
  if (/nvidia/i.test(name)) return 'nvidia';
  if (/\b(amd|ati|advanced micro devices|radeon)\b/i.test(name)) return 'amd';
  if (/intel/i.test(name)) return 'intel';
  if (/apple/i.test(name)) return 'apple';
  return 'other';
}

function finite(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** @param skip vendors already read by their own tool (nvidia-smi, rocm-smi) */
export function gpusFromGraphicsControllers(controllers: GraphicsController[], skip: ReadonlySet<GpuVendor>): Gpu[] {
  const gpus: Gpu[] = [];
  for (const controller of controllers) {
    const name = [controller.vendor, controller.model].filter(Boolean).join(' ').trim() || 'Unknown GPU';
    const vendor = vendorOf(`${controller.vendor ?? ''} ${controller.model ?? ''}`);
    if (skip.has(vendor)) continue;
    // systeminformation reports vram and memoryTotal/memoryUsed in MB as the OS gives them (MiB).
    const total = finite(controller.memoryTotal) ?? finite(controller.vram);
    const used = finite(controller.memoryUsed);
    gpus.push({
      ...emptyGpu(vendor, controller.model?.trim() || name),
      index: gpus.length,
      pciBusId: controller.pciBus || controller.bus || undefined,
      memoryTotalMiB: total && total > 0 ? total : undefined,
      memoryUsedMiB: used,
      memoryFreeMiB: total !== undefined && used !== undefined ? total - used : undefined,
      utilizationPercent: finite(controller.utilizationGpu),
      temperatureC: finite(controller.temperatureGpu),
      driverVersion: controller.driverVersion || undefined,
    });
  }
  return gpus;
}
