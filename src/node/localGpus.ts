/** This machine's GPUs: nvidia-smi, then rocm-smi, then systeminformation for the rest. */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Gpu, GpuVendor, Host } from '../core/gpu/inventory.ts';
import { LIST_ARGS, parseNvidiaSmi, QUERY_APPS_ARGS, QUERY_GPU_ARGS } from '../core/gpu/nvidiaSmi.ts';
import { parseRocmSmiJson, ROCM_SMI_ARGS } from '../core/gpu/rocmSmi.ts';
import { gpusFromGraphicsControllers, type GraphicsController } from '../core/gpu/systemGraphics.ts';
import { resolveExecutable } from './executables.ts';
import { describeFailure, runFile, timerMs } from './runFile.ts';

export interface LocalOptions {
  nvidiaSmiPath: string | undefined;
  rocmSmiPath: string | undefined;
  timeoutMs: number;
  /** dist/sysinfo-worker.js, or undefined to skip systeminformation. */
  sysinfoWorkerPath: string | undefined;
}

type VendorResult = { gpus: Gpu[]; problem?: string; ran: boolean };

async function nvidia(options: LocalOptions): Promise<VendorResult> {
  const exe = resolveExecutable('nvidia-smi', options.nvidiaSmiPath);
  if (!exe) {
    return {
      gpus: [],
      ran: false,
      problem: options.nvidiaSmiPath
        ? `nvidiaSmiPath "${options.nvidiaSmiPath}" is not an absolute path to an executable`
        : undefined,
    };
  }
  const [gpu, apps, list] = await Promise.all(
    [QUERY_GPU_ARGS, QUERY_APPS_ARGS, LIST_ARGS].map((args) => runFile(exe, args, { timeoutMs: options.timeoutMs })),
  );
  if (gpu?.kind !== 'exited' || gpu.code !== 0)
    return { gpus: [], ran: true, problem: `${exe} ${gpu ? describeFailure(gpu, options.timeoutMs) : ''}` };
  const text = (r: typeof apps) => (r?.kind === 'exited' && r.code === 0 ? r.stdout : undefined);
  const parsed = parseNvidiaSmi({ queryGpu: gpu.stdout, queryApps: text(apps), list: text(list) });
  return parsed.ok ? { gpus: parsed.value, ran: true } : { gpus: [], ran: true, problem: parsed.message };
}

async function amd(options: LocalOptions): Promise<VendorResult> {
  const exe = resolveExecutable('rocm-smi', options.rocmSmiPath);
  if (!exe) return { gpus: [], ran: false };
  const result = await runFile(exe, ROCM_SMI_ARGS, { timeoutMs: options.timeoutMs });
  if (result.kind !== 'exited' || result.code !== 0)
    return { gpus: [], ran: true, problem: `${exe} ${describeFailure(result, options.timeoutMs)}` };
  const parsed = parseRocmSmiJson(result.stdout);
  return parsed.ok ? { gpus: parsed.value, ran: true } : { gpus: [], ran: true, problem: parsed.message };
}

/**
 * The GPUs systeminformation finds (Intel, Apple, AMD without ROCm) do not come and go, and it
 * reports no live figures for them, so one look per SYSINFO_TTL_MS is enough.
 */
export const SYSINFO_TTL_MS = 10 * 60 * 1000;
let sysinfoCache: { at: number; workerPath: string; controllers: Promise<GraphicsController[]> } | undefined;

function cachedGraphicsControllers(workerPath: string, timeoutMs: number): Promise<GraphicsController[]> {
  if (!sysinfoCache || sysinfoCache.workerPath !== workerPath || Date.now() - sysinfoCache.at > SYSINFO_TTL_MS) {
    sysinfoCache = { at: Date.now(), workerPath, controllers: readGraphicsControllers(workerPath, timeoutMs) };
  }
  return sysinfoCache.controllers;
}

/** systeminformation in a worker thread, stopped at the timeout. */
export function readGraphicsControllers(workerPath: string, timeoutMs: number): Promise<GraphicsController[]> {
  if (!existsSync(workerPath)) return Promise.resolve([]);
  return new Promise((resolve) => {
    const worker = new Worker(workerPath);
    const done = (controllers: GraphicsController[]) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(controllers);
    };
    const timer = setTimeout(() => done([]), timerMs(timeoutMs));
    worker.once('message', (message: { ok: boolean; controllers?: GraphicsController[] }) =>
      done(message.ok ? (message.controllers ?? []) : []),
    );
    worker.once('error', () => done([]));
  });
}

export async function queryLocalHost(options: LocalOptions, label = 'This machine'): Promise<Host> {
  const [nv, rocm, controllers] = await Promise.all([
    nvidia(options),
    amd(options),
    options.sysinfoWorkerPath ? cachedGraphicsControllers(options.sysinfoWorkerPath, options.timeoutMs) : [],
  ]);
  const covered = new Set<GpuVendor>();
  if (nv.ran) covered.add('nvidia');
  if (rocm.ran) covered.add('amd');
  const others = gpusFromGraphicsControllers(controllers, covered);
  const gpus = [...nv.gpus, ...rocm.gpus, ...others];
  const problems = [nv.problem, rocm.problem].filter((p): p is string => Boolean(p));
  return {
    id: 'local',
    label,
    source: 'local',
    status: problems.length > 0 && gpus.length === 0 ? { kind: 'failed', reason: problems.join('; ') } : { kind: 'ok' },
    gpus,
  };
}
