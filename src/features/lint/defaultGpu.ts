/**
 * "Set the default GPU…": the quick fix of a finding that could not run for want of a GPU type.
 * A pick of the GPUs the GPUs view sees (first, marked as such), then the catalog; the choice is
 * written to gpuWorkbench.defaultGpu, whose change re-lints every open document (diagnostics.ts).
 */
import * as vscode from 'vscode';
import { findGpu, GPU_CATALOG, type GpuSpec } from '../../core/catalog/gpus.ts';
import type { Inventory } from '../../core/gpu/inventory.ts';
import { poolFromInventory } from '../../core/solver/pool.ts';
import { safeLine } from '../../core/text/safeText.ts';
import { setting, updateEffectiveSetting } from '../config/settings.ts';

export interface GpuPickItem extends vscode.QuickPickItem {
  gpu?: GpuSpec;
}

const gib = (mib: number) => `${Math.round(mib / 1024)} GiB`;

/** The pick's rows: the inventory's catalog GPUs under their own heading, then the rest of the catalog. */
export function defaultGpuItems(inventory: Inventory | undefined, current: string | undefined): GpuPickItem[] {
  const mine = (inventory ? poolFromInventory(inventory) : []).flatMap((pool) => {
    const gpu = findGpu(pool.type);
    return gpu ? [{ gpu, pool }] : [];
  });
  const now = (gpu: GpuSpec) => (gpu.id === current ? ' (the default now)' : '');
  const items: GpuPickItem[] = [];
  if (mine.length > 0) {
    items.push({ label: 'In your inventory', kind: vscode.QuickPickItemKind.Separator });
    for (const { gpu, pool } of mine)
      items.push({
        label: gpu.id,
        description: `${gpu.name}${now(gpu)}`,
        // Host names come from other machines: one safe line each.
        detail: `$(check) in your inventory: ${pool.count} on ${pool.hosts.map((h) => safeLine(h)).join(', ')}`,
        gpu,
      });
  }
  const seen = new Set(mine.map((m) => m.gpu.id));
  items.push({ label: 'GPU catalog', kind: vscode.QuickPickItemKind.Separator });
  for (const gpu of GPU_CATALOG.filter((g) => !seen.has(g.id)))
    items.push({
      label: gpu.id,
      description: `${gpu.name}${now(gpu)}`,
      detail: `${gib(gpu.memoryMiB)} · $${gpu.pricePerHour.toFixed(2)}/h list price`,
      gpu,
    });
  return items;
}

/** Asks for the GPU and writes the setting; the chosen GPU, or undefined when the pick was dismissed. */
export async function setDefaultGpu(inventory: () => Inventory | undefined): Promise<GpuSpec | undefined> {
  const picked = await vscode.window.showQuickPick(defaultGpuItems(inventory(), setting('defaultGpu')), {
    title: 'Default GPU for files that name none',
    placeHolder: 'The GPU your configs run on: the linter sizes memory on it',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked?.gpu) return undefined;
  await updateEffectiveSetting('defaultGpu', picked.gpu.id);
  return picked.gpu;
}
