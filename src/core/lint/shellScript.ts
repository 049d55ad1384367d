/**
 * Serving commands in shell scripts, Dockerfiles and Markdown code blocks: `vllm serve`, the
 * OpenAI server module, TGI's launcher, SGLang, and `docker run` of their images, with the
 * script's own variables expanded. In Markdown, a heading that names a GPU (`### MI300X`) gives
 * the GPU of the commands under it.
 */
import { ENGINE_LABEL } from './engineArgs.ts';
import { acceleratorHintIn, acceleratorHintInEnv, findInCommands } from './commands.ts';
import { shellCommands, verbatim, type Env } from './shellParse.ts';
import type { Located, ServingUnit } from './types.ts';

/** Cheap test before tokenizing a chunk: nothing here can start an engine. */
const MAY_SERVE = /vllm|text-generation|sglang|docker|podman/;

/** GPU names as people write them in headings. */
const GPU_IN_HEADING =
  /\b(MI\d{3}[A-Z]?|H100|H200|H20|B200|B300|GB200|A100|A10G?|L40S?|L4|RTX\s?(?:PRO\s?)?\d{4}(?:\s?Ada)?|V100|T4|Gaudi\s?\d?|Inferentia\d?|Trainium\d?|Neuron|TPU(?:\s?v\d+\w*)?|XPU)\b/i;
// An accelerator the catalog lacks (Gaudi, Neuron, TPU) still wins over the default GPU: sizing says it is unknown.

interface Chunk {
  start: number;
  end: number;
}

interface Heading {
  offset: number;
  level: number;
  gpu?: Located<string>;
}

/** Heredoc bodies are data, not commands: blanked (offsets kept) so a stray quote in them cannot run on. */
function blankHeredocs(text: string): string {
  if (!text.includes('<<')) return text;
  const lines = text.split('\n');
  let terminator: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (terminator !== undefined) {
      if (line.trim() === terminator) terminator = undefined;
      else lines[i] = ' '.repeat(line.length);
      continue;
    }
    const m = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(line);
    if (m) terminator = m[1];
  }
  return lines.join('\n');
}

/** Markdown: fenced shell blocks, and the headings with their GPUs. */
function markdownChunks(text: string): { chunks: Chunk[]; headings: Heading[] } {
  const chunks: Chunk[] = [];
  const headings: Heading[] = [];
  let offset = 0;
  let open: { start: number; shell: boolean; fence: string } | undefined;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (open) {
      if (fence && fence[1]!.startsWith(open.fence) && fence[2] === '') {
        if (open.shell) chunks.push({ start: open.start, end: lineStart });
        open = undefined;
      }
      continue;
    }
    if (fence) {
      const lang = fence[2]!.toLowerCase();
      open = {
        start: offset,
        shell: ['', 'sh', 'bash', 'shell', 'console', 'zsh', 'text', 'dockerfile'].includes(lang),
        fence: fence[1]!,
      };
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const m = GPU_IN_HEADING.exec(heading[2]!);
      const at = lineStart + heading[1]!.length + 1 + (m?.index ?? 0);
      headings.push({
        offset: lineStart,
        level: heading[1]!.length,
        gpu: m ? { value: m[1]!.trim(), span: { start: at, end: at + m[1]!.trim().length } } : undefined,
      });
    }
  }
  if (open?.shell) chunks.push({ start: open.start, end: text.length });
  return { chunks, headings };
}

/** For each heading, the GPU in effect under it: its own, or the nearest enclosing heading's. */
function headingGpus(headings: Heading[]): (Located<string> | undefined)[] {
  const stack: { level: number; gpu?: Located<string> }[] = [];
  return headings.map((h) => {
    while (stack.length > 0 && stack.at(-1)!.level >= h.level) stack.pop();
    const gpu = h.gpu ?? stack.at(-1)?.gpu;
    stack.push({ level: h.level, gpu });
    return gpu;
  });
}

/** The GPU in effect at `offset`: the last heading before it (binary search). */
function headingGpu(headings: Heading[], inEffect: (Located<string> | undefined)[], offset: number) {
  let lo = 0;
  let hi = headings.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (headings[mid]!.offset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? undefined : inEffect[found];
}

/**
 * Dockerfile exec form (`CMD ["vllm", "serve", "m"]`): brackets, commas and quotes become spaces,
 * offsets kept, so the words read as a shell command would.
 */
function execFormAsWords(text: string): string {
  if (!/^\s*(CMD|ENTRYPOINT|RUN)\s*\[/m.test(text)) return text;
  return text.replace(
    /^(\s*(?:CMD|ENTRYPOINT|RUN)\s*)(\[.*\])\s*$/gm,
    (_, head: string, list: string) => `${head}${list.replace(/[[\],"]/g, ' ')}`,
  );
}

/** A Makefile's `NAME = value` / `NAME ?= value` / `NAME := value` lines, which its `$(NAME)` reads. */
function makeVariables(text: string): Env {
  const env: Env = new Map();
  // `(.*)` then trimmed in code: a lazy match before trailing blanks would be quadratic on a long line.
  for (const m of text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)[ \t]*[:?]?=(.*)$/gm)) {
    const raw = m[2]!;
    const value = raw.trim();
    const start = m.index + m[0].length - raw.length + (raw.length - raw.trimStart().length);
    env.set(m[1]!, { value, span: { start, end: start + value.length } });
  }
  return env;
}

export function scriptUnits(text: string, markdown = false, makefile = false): ServingUnit[] {
  const { chunks, headings } = markdown
    ? markdownChunks(text)
    : { chunks: [{ start: 0, end: text.length }], headings: [] };
  const units: ServingUnit[] = [];
  const inEffect = headingGpus(headings);
  for (const chunk of chunks) {
    let body = text.slice(chunk.start, chunk.end);
    if (!MAY_SERVE.test(body)) continue;
    // Console blocks: `$ ` prompts are not part of the command.
    if (markdown) body = body.replace(/^(\s*)\$ /gm, '$1  ');
    // make expands $(NAME) from its own variables before the shell sees the recipe.
    const env: Env = makefile ? makeVariables(text) : new Map();
    const commands = shellCommands(verbatim(execFormAsWords(blankHeredocs(body)), chunk.start), env, {
      kubernetes: makefile,
    });
    const envHint = acceleratorHintInEnv(env);
    for (const found of findInCommands(commands, env, false)) {
      const engine = found.engine;
      if (!engine) continue;
      const commandText = text.slice(engine.span.start, engine.span.end);
      const gpu = markdown ? headingGpu(headings, inEffect, engine.span.start) : undefined;
      const dockerGpus = found.dockerGpus;
      units.push({
        name: {
          value: `${ENGINE_LABEL[engine.engine]} server`,
          span: { start: engine.span.start, end: Math.min(engine.span.end, engine.span.start + 40) },
        },
        source: 'script',
        engine,
        gpus: dockerGpus
          ? dockerGpus.value === 'all'
            ? { kind: 'docker', all: { value: 'all', span: dockerGpus.span } }
            : { kind: 'docker', limit: { value: dockerGpus.value, span: dockerGpus.span } }
          : undefined,
        gpuProduct: gpu,
        gpuProductSource: gpu ? 'heading' : undefined,
        acceleratorHint: found.acceleratorHint ?? acceleratorHintIn(commandText) ?? envHint,
        sharedMemory: 'not-applicable',
        rayNode: found.rayNode,
        ...(markdown ? { inMarkdown: true } : {}),
      });
    }
  }
  return units;
}
