/** docker-compose services with GPU reservations (deploy.resources.reservations.devices). */
import { isSeq, type Document, type Node } from 'yaml';
import { acceleratorHintIn, acceleratorHintInEnv, findInCommands, withTgiEnv } from './commands.ts';
import { imageEngine, parseEngineArgs } from './engineArgs.ts';
import { alignedText, envEntry, shellCommands, type Env, type ShellWord } from './shellParse.ts';
import { child, items, mapEntries, num, path, spanOf, str } from './yamlSource.ts';
import type { GpuReservation, ServingUnit } from './types.ts';

/** `environment:` as a list (`- KEY=value`) or a map. */
function serviceEnv(service: Node): Env {
  const env: Env = new Map();
  const node = child(service, 'environment');
  for (const item of items(node)) {
    const entry = envEntry(str(item)?.value ?? '');
    if (entry) env.set(...entry);
  }
  for (const [name, value] of mapEntries(node)) {
    const v = str(value);
    env.set(name, v && !v.value.includes('$') ? { value: v.value } : { external: 'the host environment' });
  }
  return env;
}

/** A compose command: a list is argv, a string is split like a shell would (compose does, without one). */
function words(node: Node | undefined, text: string, env: Env): ShellWord[] {
  const out: ShellWord[] = [];
  for (const element of isSeq(node) ? items(node) : node ? [node] : []) {
    const value = str(element);
    if (!value) continue;
    const range = spanOf(element);
    const mapped = alignedText(value.value, text, range.start, range.end);
    out.push(...shellCommands(mapped, new Map(env), { shell: !isSeq(node) || /\s/.test(value.value.trim()) }).flat());
  }
  return out;
}

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

function sharedIfOutside(g: GpuReservation | undefined, whole: { start: number; end: number }) {
  const at = g?.limit?.span ?? g?.all?.span;
  return g && at && (at.start < whole.start || at.end > whole.end) ? { ...g, shared: true } : g;
}

export function composeUnits(doc: Document.Parsed, text: string): ServingUnit[] {
  const services = child(doc.contents, 'services');
  return mapEntries(services).flatMap(([name, service, pair]) => {
    if (!service || name === '<<') return [];
    const env = serviceEnv(service);
    const entrypoint = child(service, 'entrypoint');
    const all = [...words(entrypoint, text, env), ...words(child(service, 'command'), text, env)];
    const whole = spanOf(service);
    const found = findInCommands([all], env, false);
    let engine = found.find((f) => f.engine)?.engine;
    const image = str(child(service, 'image'))?.value ?? '';
    const fromImage = imageEngine(image);
    if (!engine && !found.some((f) => f.rayNode) && fromImage && !entrypoint && (all.length > 0 || fromImage === 'tgi'))
      engine = parseEngineArgs(fromImage, all, whole);
    if (engine?.engine === 'tgi') engine = withTgiEnv(engine, env, spanOf(pair.key as Node));
    const devices = items(child(service, 'devices')).map((d) => str(d)?.value ?? '');
    const acceleratorHint =
      acceleratorHintIn(image) ?? acceleratorHintInEnv(env) ?? devices.map(acceleratorHintIn).find(Boolean);
    return [
      {
        name: { value: name, span: spanOf(pair.key as Node) },
        source: 'compose' as const,
        engine,
        gpus: sharedIfOutside(reservation(service), whole),
        acceleratorHint,
        sharedMemory: 'not-applicable' as const,
        ...(image ? { image } : {}),
      },
    ];
  });
}

export function looksLikeCompose(doc: Document.Parsed): boolean {
  return Boolean(child(doc.contents, 'services')) && !child(doc.contents, 'kind');
}
