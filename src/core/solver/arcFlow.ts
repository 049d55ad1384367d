/**
 * The packing MIP in arc-flow form (Valério de Carvalho's model, as docs/solver-notes.md measured it):
 * per GPU type, a graph on memory levels 0..capacity (in granularity units) whose paths from 0 to
 * capacity are the ways to fill one GPU. Integer flow on an item arc = shards of that size;
 * flow out of 0 = GPUs of that type used. Identical GPUs are one variable and models of the same
 * shard size and TP are one class, so the size of the program depends on the distinct shard
 * sizes, not on the number of models or GPUs. Item arcs are laid in non-increasing size order
 * along a path, which removes most equivalent paths (symmetry) without losing any packing.
 */
import type { Constraint, LinearProgram, Term } from './workerProtocol.ts';
import type { PlacedGpu, Placement } from './plan.ts';
import type { ModelDemand, PackingProblem } from './problem.ts';
import { FLOAT_TOLERANCE } from './tolerance.ts';

/** Models with the same shard size (in units) and TP degree: interchangeable for packing. */
export interface ItemClass {
  size: number;
  tp: number;
  models: ModelDemand[];
  replicas: number;
}

export interface ArcFlowModel {
  program: LinearProgram;
  granularityGiB: number;
  classes: ItemClass[];
  types: { type: string; capacity: number; arcs: { from: number; to: number; size: number; variable: string }[] }[];
  /** Variable x[c,t]: replicas of class c on type t. */
  classVariables: { classIndex: number; type: string; variable: string }[];
}

/** Shard size in granularity units, rounded up so that a packing of units is a packing of GiB. */
export function units(gib: number, granularity: number): number {
  return Math.max(1, Math.ceil(gib / granularity - FLOAT_TOLERANCE));
}

export function itemClasses(problem: PackingProblem, granularity: number): ItemClass[] {
  const classes = new Map<string, ItemClass>();
  for (const m of problem.models) {
    const size = units(m.memoryGiB, granularity);
    const key = `${size}/${m.tp}`;
    const c = classes.get(key) ?? { size, tp: m.tp, models: [], replicas: 0 };
    c.models.push(m);
    c.replicas += m.replicas;
    classes.set(key, c);
  }
  return [...classes.values()].sort((a, b) => b.size - a.size || b.tp - a.tp);
}

/** Item arcs per size: from the levels reachable with items no smaller than that size. */
function arcsFor(capacity: number, sizes: number[], t: number): ArcFlowModel['types'][number]['arcs'] {
  const arcs: ArcFlowModel['types'][number]['arcs'] = [];
  const reachable = new Uint8Array(capacity + 1);
  reachable[0] = 1;
  for (const w of sizes) {
    // sizes are in decreasing order: extend the levels reachable with sizes >= w by w-items.
    for (let level = 0; level + w <= capacity; level++) {
      if (!reachable[level]) continue;
      reachable[level + w] = 1;
      arcs.push({ from: level, to: level + w, size: w, variable: `f_${t}_${level}_${w}` });
    }
  }
  for (let level = 1; level < capacity; level++) {
    if (reachable[level]) arcs.push({ from: level, to: capacity, size: 0, variable: `l_${t}_${level}` });
  }
  return arcs;
}

/**
 * Flow conservation on one GPU type's graph: `used` GPUs leave node 0 and reach the capacity node,
 * and every level in between has as much flow in as out.
 */
function flowConservation(
  t: number,
  capacity: number,
  arcs: ArcFlowModel['types'][number]['arcs'],
  used: string,
): Constraint[] {
  const flow = new Map<number, Term[]>();
  const push = (node: number, term: Term) => {
    const list = flow.get(node);
    if (list) list.push(term);
    else flow.set(node, [term]);
  };
  for (const arc of arcs) {
    push(arc.from, { name: arc.variable, coef: 1 });
    push(arc.to, { name: arc.variable, coef: -1 });
  }
  if (capacity <= 0) return [];
  const rows: Constraint[] = [
    {
      name: `source_${t}`,
      vars: [...(flow.get(0) ?? []), { name: used, coef: -1 }],
      bound: { kind: 'equal', value: 0 },
    },
    {
      name: `sink_${t}`,
      vars: [...(flow.get(capacity) ?? []), { name: used, coef: 1 }],
      bound: { kind: 'equal', value: 0 },
    },
  ];
  for (const [node, terms] of flow) {
    if (node !== 0 && node !== capacity)
      rows.push({ name: `level_${t}_${node}`, vars: terms, bound: { kind: 'equal', value: 0 } });
  }
  return rows;
}

export function buildArcFlow(problem: PackingProblem, granularityGiB = 1): ArcFlowModel {
  const constraints: Constraint[] = [];
  const generals: string[] = [];
  const bounds: NonNullable<LinearProgram['bounds']> = [];
  const objective: Term[] = [];
  const types: ArcFlowModel['types'] = [];
  const classVariables: ArcFlowModel['classVariables'] = [];
  const classes = itemClasses(problem, granularityGiB);
  const addVar = (name: string, ub: number) => {
    generals.push(name);
    bounds.push({ name, bound: { kind: 'between', lb: 0, ub } });
  };
  problem.gpus.forEach((pool, t) => {
    // Capacity rounded down: a GPU never holds more than it has.
    const capacity = Math.floor(pool.memoryGiB / granularityGiB + FLOAT_TOLERANCE);
    const fitting = classes.map((c, i) => ({ c, i })).filter(({ c }) => c.size <= capacity && c.tp <= pool.count);
    const sizes = [...new Set(fitting.map(({ c }) => c.size))].sort((a, b) => b - a);
    const arcs = capacity > 0 ? arcsFor(capacity, sizes, t) : [];
    // An empty GPU path: 0 -> capacity directly.
    if (capacity > 0) arcs.push({ from: 0, to: capacity, size: 0, variable: `l_${t}_0` });
    // Levels strictly increase along a path, so each GPU uses an arc at most once.
    for (const arc of arcs) addVar(arc.variable, pool.count);
    const used = `z_${t}`;
    addVar(used, pool.count);
    objective.push({ name: used, coef: problem.objective === 'gpus' ? 1 : pool.costPerHour });
    constraints.push(...flowConservation(t, capacity, arcs, used));
    for (const { c, i } of fitting) {
      const x = `x_${i}_${t}`;
      addVar(x, c.replicas);
      classVariables.push({ classIndex: i, type: pool.type, variable: x });
    }
    // Shards of each size on item arcs = TP x replicas of the classes of that size placed here.
    for (const s of sizes) {
      const terms: Term[] = arcs.filter((a) => a.size === s).map((a) => ({ name: a.variable, coef: 1 }));
      for (const { c, i } of fitting) if (c.size === s) terms.push({ name: `x_${i}_${t}`, coef: -c.tp });
      constraints.push({ name: `size_${t}_${s}`, vars: terms, bound: { kind: 'equal', value: 0 } });
    }
    types.push({ type: pool.type, capacity, arcs });
  });
  classes.forEach((c, i) => {
    const terms = classVariables.filter((v) => v.classIndex === i).map((v) => ({ name: v.variable, coef: 1 }));
    if (terms.length === 0) {
      addVar(`none_${i}`, 0); // no GPU type can host this class: the row makes the program infeasible
      terms.push({ name: `none_${i}`, coef: 1 });
    }
    constraints.push({ name: `replicas_${i}`, vars: terms, bound: { kind: 'equal', value: c.replicas } });
  });
  return {
    program: {
      name: 'gpu-packing',
      objective: { direction: 'min', name: 'cost', vars: objective },
      subjectTo: constraints,
      bounds,
      generals,
    },
    granularityGiB,
    classes,
    types,
    classVariables,
  };
}

/**
 * Turns the solved flows into GPUs (one 0 -> capacity path each), gives every replica of a class
 * TP distinct GPUs of its type, and hands the class's replicas to its models in turn. Returns
 * undefined when a replica's shards cannot be kept apart (the caller then says so).
 */
/**
 * Splits one GPU type's integer arc flow into paths from 0 to capacity: each path is one GPU, and
 * its item arcs are the shard sizes it holds.
 */
function decomposeFlow(type: ArcFlowModel['types'][number], values: Record<string, number>): number[][] {
  const remaining = new Map(type.arcs.map((a) => [a.variable, Math.round(values[a.variable] ?? 0)]));
  const outgoing = new Map<number, typeof type.arcs>();
  for (const arc of type.arcs) outgoing.set(arc.from, [...(outgoing.get(arc.from) ?? []), arc]);
  const bins: number[][] = [];
  for (;;) {
    const path: number[] = [];
    let node = 0;
    while (node !== type.capacity) {
      const arc = (outgoing.get(node) ?? []).find((a) => (remaining.get(a.variable) ?? 0) > 0);
      if (!arc) return bins;
      remaining.set(arc.variable, (remaining.get(arc.variable) ?? 0) - 1);
      if (arc.size > 0) path.push(arc.size);
      node = arc.to;
    }
    bins.push(path);
  }
}

/** The free slots of each GPU by shard size. */
function slotsOf(bins: number[][]): Map<number, number>[] {
  return bins.map((sizes) => {
    const count = new Map<number, number>();
    for (const s of sizes) count.set(s, (count.get(s) ?? 0) + 1);
    return count;
  });
}

/**
 * Puts one replica's TP shards on the TP GPUs with the most free slots of its size (distinct GPUs,
 * as tensor parallelism needs); false when fewer than TP GPUs have one.
 */
function placeReplica(
  slots: Map<number, number>[],
  placed: PlacedGpu[],
  c: ItemClass,
  replica: { model: { name: string; memoryGiB: number }; replica: number },
): boolean {
  const order = slots
    .map((s, i) => ({ i, free: s.get(c.size) ?? 0 }))
    .filter((b) => b.free > 0)
    .sort((a, b) => b.free - a.free || a.i - b.i);
  if (order.length < c.tp) return false;
  for (const { i } of order.slice(0, c.tp)) {
    slots[i]!.set(c.size, (slots[i]!.get(c.size) ?? 0) - 1);
    placed[i]!.replicas.push({
      model: replica.model.name,
      replica: replica.replica,
      memoryGiB: replica.model.memoryGiB,
    });
  }
  return true;
}

export function decodeArcFlow(
  _problem: PackingProblem,
  model: ArcFlowModel,
  values: Record<string, number>,
): Placement | undefined {
  const gpus: PlacedGpu[] = [];
  // Replicas each model still has to place, in class order.
  const pending = model.classes.map((c) =>
    c.models.flatMap((m) => Array.from({ length: m.replicas }, (_, replica) => ({ model: m, replica }))),
  );
  for (const type of model.types) {
    const bins = decomposeFlow(type, values);
    const slots = slotsOf(bins);
    const placed: PlacedGpu[] = bins.map((_, i) => ({ gpuType: type.type, gpuIndex: i, replicas: [] }));
    // Wider TP first: they need the most distinct GPUs with a free slot.
    const here = model.classVariables
      .filter((v) => v.type === type.type)
      .map((v) => ({ classIndex: v.classIndex, count: Math.round(values[v.variable] ?? 0) }))
      .filter((v) => v.count > 0)
      .sort((a, b) => (model.classes[b.classIndex]?.tp ?? 0) - (model.classes[a.classIndex]?.tp ?? 0));
    for (const { classIndex, count } of here) {
      for (let r = 0; r < count; r++) {
        const next = pending[classIndex]!.shift();
        if (!next || !placeReplica(slots, placed, model.classes[classIndex]!, next)) return undefined;
      }
    }
    gpus.push(...placed.filter((g) => g.replicas.length > 0));
  }
  return { gpus };
}
