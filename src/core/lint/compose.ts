/** docker-compose services with GPU reservations (deploy.resources.reservations.devices). */
import type { Document, Node } from 'yaml';
import { parseEngineCommand } from './engineArgs.ts';
import { child, commandWords, items, mapEntries, num, path, spanOf, str } from './yamlSource.ts';
import type { GpuReservation, ServingUnit } from './types.ts';

function reservation(service: Node): GpuReservation | undefined {
  for (const device of items(path(service, 'deploy', 'resources', 'reservations', 'devices'))) {
    const capabilities = items(child(device, 'capabilities')).map((c) => str(c)?.value);
    const driver = str(child(device, 'driver'))?.value;
    if (!capabilities.includes('gpu') && driver !== 'nvidia') continue;
    const countNode = child(device, 'count');
    const count = str(countNode);
    if (count?.value === 'all') return { kind: 'compose', all: count };
    const n = num(countNode);
    if (n) return { kind: 'compose', limit: n };
    const ids = items(child(device, 'device_ids'));
    if (ids.length > 0)
      return { kind: 'compose', limit: { value: ids.length, span: spanOf(child(device, 'device_ids')) } };
    return { kind: 'compose', all: { value: 'all', span: spanOf(device) } }; // no count: Docker gives all GPUs
  }
  return undefined;
}

export function composeUnits(doc: Document.Parsed): ServingUnit[] {
  const services = child(doc.contents, 'services');
  return mapEntries(services).flatMap(([name, service, pair]) => {
    if (!service) return [];
    const words = commandWords(child(service, 'entrypoint'), child(service, 'command'));
    const whole = spanOf(service);
    let engine = parseEngineCommand(words, whole);
    const image = str(child(service, 'image'))?.value ?? '';
    if (!engine && /vllm-openai|vllm\/vllm/.test(image) && words.length > 0)
      engine = parseEngineCommand([{ text: 'vllm', span: whole }, { text: 'serve', span: whole }, ...words], whole);
    return [
      {
        name: { value: name, span: spanOf(pair.key as Node) },
        source: 'compose' as const,
        engine,
        gpus: reservation(service),
        sharedMemory: 'not-applicable' as const,
        ...(image ? { image } : {}),
      },
    ];
  });
}

export function looksLikeCompose(doc: Document.Parsed): boolean {
  return Boolean(child(doc.contents, 'services')) && !child(doc.contents, 'kind');
}
