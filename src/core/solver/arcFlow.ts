/**
 * The packing MIP in arc-flow form (Valério de Carvalho's model, as SOLVER-NOTES measured it):
 * per GPU type, a graph on memory levels 0..capacity (in granularity units) whose paths from 0 to
 * capacity are the ways to fill one GPU. Integer flow on an item arc = shards of that size;
 * flow out of 0 = GPUs of that type used. Identical GPUs are one variable, so there is no
 * symmetry for GLPK to wade through, and the size depends on the distinct shard sizes, not on the
 * number of models or GPUs.
 */
import type { Constraint, LinearProgram, Term } from './workerProtocol.ts';
import type { PlacedGpu, Placement } from './plan.ts';
import type { PackingProblem } from './problem.ts';

export interface ArcFlowModel {
  program: LinearProgram;
  granularityGiB: number;
  types: { type: string; capacity: number; arcs: { from: number; to: number; size: number; variable: string }[] }[];
  /** Variable x[m,t]: replicas of model m on type t. */
  replicaVariables: { model: string; type: string; variable: string }[];
}

/** Shard size in granularity units, rounded up so that a packing of units is a packing of GiB. */
export function units(gib: number, granularity: number): number {
  return Math.max(1, Math.ceil(gib / granularity - 1e-9));
}

export function buildArcFlow(problem: PackingProblem, granularityGiB = 1): ArcFlowModel {
  const constraints: Constraint[] = [];
  const generals: string[] = [];
  const bounds: NonNullable<LinearProgram['bounds']> = [];
  const objective: Term[] = [];
  const types: ArcFlowModel['types'] = [];
  const replicaVariables: ArcFlowModel['replicaVariables'] = [];
  const addVar = (name: string, ub: number) => {
    generals.push(name);
    bounds.push({ name, bound: { kind: 'between', lb: 0, ub } });
  };
  problem.gpus.forEach((pool, t) => {
    // Capacity rounded down: a GPU never holds more than it has.
    const capacity = Math.floor(pool.memoryGiB / granularityGiB + 1e-9);
    const sizes = [...new Set(problem.models.map((m) => units(m.memoryGiB, granularityGiB)).filter((s) => s <= capacity))].sort((a, b) => b - a);
    // Levels reachable by some multiset of sizes.
    const reachable = new Uint8Array(capacity + 1);
    reachable[0] = 1;
    for (let level = 0; level <= capacity; level++) {
      if (!reachable[level]) continue;
      for (const s of sizes) if (level + s <= capacity) reachable[level + s] = 1;
    }
    const arcs: ArcFlowModel['types'][number]['arcs'] = [];
    for (let level = 0; level < capacity; level++) {
      if (!reachable[level]) continue;
      for (const s of sizes) if (level + s <= capacity) arcs.push({ from: level, to: level + s, size: s, variable: `f_${t}_${level}_${level + s}` });
      // A loss arc: the rest of this GPU stays empty.
      arcs.push({ from: level, to: capacity, size: 0, variable: `l_${t}_${level}` });
    }
    for (const arc of arcs) addVar(arc.variable, pool.count);
    const used = `z_${t}`;
    addVar(used, pool.count);
    objective.push({ name: used, coef: problem.objective === 'gpus' ? 1 : pool.costPerHour });
    // Flow conservation: out of 0 and into capacity is z; every level in between balances.
    const flow = new Map<number, Term[]>();
    const push = (node: number, term: Term) => flow.set(node, [...(flow.get(node) ?? []), term]);
    for (const arc of arcs) {
      push(arc.from, { name: arc.variable, coef: 1 });
      push(arc.to, { name: arc.variable, coef: -1 });
    }
    if (capacity > 0) {
      constraints.push({ name: `source_${t}`, vars: [...(flow.get(0) ?? []), { name: used, coef: -1 }], bound: { kind: 'equal', value: 0 } });
      constraints.push({ name: `sink_${t}`, vars: [...(flow.get(capacity) ?? []), { name: used, coef: 1 }], bound: { kind: 'equal', value: 0 } });
    }
    for (const [node, terms] of flow) {
      if (node === 0 || node === capacity) continue;
      constraints.push({ name: `level_${t}_${node}`, vars: terms, bound: { kind: 'equal', value: 0 } });
    }
    // Shards of each size carried by item arcs = TP x replicas of the models of that size placed here.
    for (const s of sizes) {
      const terms: Term[] = arcs.filter((a) => a.size === s).map((a) => ({ name: a.variable, coef: 1 }));
      problem.models.forEach((m, i) => {
        if (units(m.memoryGiB, granularityGiB) !== s || m.tp > pool.count) return;
        const x = `x_${i}_${t}`;
        terms.push({ name: x, coef: -m.tp });
      });
      constraints.push({ name: `size_${t}_${s}`, vars: terms, bound: { kind: 'equal', value: 0 } });
    }
    problem.models.forEach((m, i) => {
      const fits = units(m.memoryGiB, granularityGiB) <= capacity && m.tp <= pool.count;
      if (!fits) return;
      const x = `x_${i}_${t}`;
      addVar(x, m.replicas);
      replicaVariables.push({ model: m.name, type: pool.type, variable: x });
    });
    types.push({ type: pool.type, capacity, arcs });
  });
  problem.models.forEach((m, i) => {
    const terms = replicaVariables.filter((v) => v.model === m.name).map((v) => ({ name: v.variable, coef: 1 }));
    constraints.push({ name: `replicas_${i}`, vars: terms.length ? terms : [{ name: `none_${i}`, coef: 1 }], bound: { kind: 'equal', value: m.replicas } });
    if (terms.length === 0) addVar(`none_${i}`, 0); // no GPU type fits: the row makes the program infeasible
  });
  return {
    program: { name: 'gpu-packing', objective: { direction: 'min', name: 'cost', vars: objective }, subjectTo: constraints, bounds, generals },
    granularityGiB,
    types,
    replicaVariables,
  };
}

/**
 * Turns the solved flows into GPUs (one 0 -> capacity path each) and assigns every replica's TP
 * shards to distinct GPUs of its type. Returns undefined when the assignment cannot keep a
 * replica's shards apart (the caller then says so rather than showing a wrong plan).
 */
export function decodeArcFlow(problem: PackingProblem, model: ArcFlowModel, values: Record<string, number>): Placement | undefined {
  const gpus: PlacedGpu[] = [];
  const nextReplica = new Map<string, number>();
  for (const type of model.types) {
    const remaining = new Map(type.arcs.map((a) => [a.variable, Math.round(values[a.variable] ?? 0)]));
    const bins: number[][] = [];
    for (;;) {
      const path: number[] = [];
      let node = 0;
      while (node !== type.capacity) {
        const arc = type.arcs.find((a) => a.from === node && (remaining.get(a.variable) ?? 0) > 0);
        if (!arc) break;
        remaining.set(arc.variable, (remaining.get(arc.variable) ?? 0) - 1);
        if (arc.size > 0) path.push(arc.size);
        node = arc.to;
      }
      if (node !== type.capacity) break;
      bins.push(path);
    }
    // Free slots per GPU and size; the widest TP claims its GPUs first, spreading over the GPUs
    // with the most free slots of its size so that a replica's shards land on distinct GPUs.
    const slots = bins.map((sizes) => {
      const count = new Map<number, number>();
      for (const s of sizes) count.set(s, (count.get(s) ?? 0) + 1);
      return count;
    });
    const placed: PlacedGpu[] = bins.map((_, i) => ({ gpuType: type.type, gpuIndex: i, replicas: [] }));
    const onType = model.replicaVariables
      .filter((v) => v.type === type.type)
      .map((v) => ({ model: problem.models.find((m) => m.name === v.model)!, count: Math.round(values[v.variable] ?? 0) }))
      .filter((v) => v.count > 0)
      .sort((a, b) => b.model.tp - a.model.tp || b.model.memoryGiB - a.model.memoryGiB);
    for (const entry of onType) {
      const size = units(entry.model.memoryGiB, model.granularityGiB);
      for (let r = 0; r < entry.count; r++) {
        const order = slots
          .map((s, i) => ({ i, free: s.get(size) ?? 0 }))
          .filter((b) => b.free > 0)
          .sort((a, b) => b.free - a.free || a.i - b.i);
        if (order.length < entry.model.tp) return undefined;
        const replica = nextReplica.get(entry.model.name) ?? 0;
        nextReplica.set(entry.model.name, replica + 1);
        for (const { i } of order.slice(0, entry.model.tp)) {
          slots[i]!.set(size, (slots[i]!.get(size) ?? 0) - 1);
          placed[i]!.replicas.push({ model: entry.model.name, replica, memoryGiB: entry.model.memoryGiB });
        }
      }
    }
    gpus.push(...placed.filter((g) => g.replicas.length > 0));
  }
  return { gpus };
}
