/** The inventory as plain text for a terminal: one block per host, one line per GPU. */
import { formatMemoryGiB, formatSummary, summarizeInventory, type Gpu, type Inventory } from './inventory.ts';

function gpuLine(gpu: Gpu): string {
  const cells = [
    `${gpu.index ?? '?'}`.padStart(3),
    gpu.name.padEnd(28),
    formatMemoryGiB(gpu.memoryUsedMiB, gpu.memoryTotalMiB).padStart(17),
    (gpu.utilizationPercent === undefined ? '?' : `${gpu.utilizationPercent}%`).padStart(5),
    gpu.temperatureC === undefined ? '' : `${gpu.temperatureC} °C`,
    gpu.powerDrawW === undefined ? '' : `${Math.round(gpu.powerDrawW)} W`,
    gpu.migInstances.length ? `MIG ${gpu.migInstances.map((m) => m.profile).join(' ')}` : '',
  ];
  const lines = [cells.filter(Boolean).join('  ')];
  for (const p of gpu.processes)
    lines.push(`       pid ${p.pid} ${p.name}${p.usedMemoryMiB === undefined ? '' : ` ${p.usedMemoryMiB} MiB`}`);
  for (const w of gpu.workloads) lines.push(`       pod ${w.namespace}/${w.pod}`);
  return lines.join('\n');
}

export function formatInventoryText(inventory: Inventory): string {
  const out: string[] = [];
  for (const host of inventory.hosts) {
    const k8s = host.kubernetes
      ? `, k8s ${host.kubernetes.allocatable}/${host.kubernetes.capacity} GPUs allocatable`
      : '';
    if (host.status.kind !== 'ok') {
      out.push(`${host.label} (${host.source}): ${host.status.kind}: ${host.status.reason}`);
      continue;
    }
    out.push(`${host.label} (${host.source})${host.gpus.length === 0 ? ': no GPUs' : ''}${k8s}`);
    for (const gpu of host.gpus) out.push(gpuLine(gpu));
  }
  out.push('', formatSummary(summarizeInventory(inventory)));
  return out.join('\n');
}
