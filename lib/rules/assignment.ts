// Review assignment (专家评审分配, SPEC §7): who reviews which space. Pure and deterministic —
// the same input and seed give the same draw on any machine, so the seed recorded in the history
// is enough to re-derive and audit a draw.
//
// Constraints of a draw, all hard:
// - every space gets exactly `perSpace` (default 3) distinct experts;
// - never an expert of the space's own city (市州交叉), never an expert with a declared conflict;
// - loads are balanced over the eligible pool (below).
//
// The eligible pool: the experts passed in (the caller passes the active ones — selected,
// invited and not withdrawn) that may review at least one of the spaces being assigned. An
// expert that may review none (every space is in its city or conflicted) cannot take a share, so
// it is left out of the balance and listed in `idle` with the reason; that is a report, not a
// failure. Every other expert — however few spaces it may review — is in the pool.
//
// Balanced: with T = spaces × perSpace new reviews, E experts in the pool and no earlier loads,
// every pool expert gets floor(T/E) or ceil(T/E) of them (so max − min ≤ 1). With `existingLoads`
// (an earlier draw in the same review, e.g. student spaces after teacher spaces) the balance is
// over the totals, by water filling: H is the least level with Σ max(0, H − existing) ≥ T; every
// pool expert below H ends with a total of H − 1 or H, and one already at H or above gets nothing
// new. If balance cannot hold — an expert may review too few spaces, or a group of spaces has
// too few experts open to it — the answer is `ok: false` with what cannot be met, never a
// partial or looser draw.
//
// Method: a flow network source → space (capacity perSpace) → eligible expert (1) → sink
// (between the expert's lower and upper load), solved with Dinic in two phases: first up to the
// lower bounds only, then with the upper bounds. Augmenting paths never take flow back from the
// sink, so the second phase keeps the first one's lower bounds, and the method is exact: it
// reports infeasible only when no balanced draw exists, and the min cut of the phase that fell
// short names the experts or spaces at fault. The randomness is in the order: inputs are first
// sorted by id (so the caller's order does not matter), then the seeded generator shuffles the
// spaces and each space's list of experts, which the flow search follows.
//
// Replacement (an expert who declines, declares a conflict after the draw, or misses the review
// deadline): `replace` draws one new expert for that space under the same hard constraints,
// preferring the least-loaded eligible experts and breaking ties with the seed. Replacements may
// leave the loads more than 1 apart (the least-loaded eligible experts may already be above the
// pool's minimum); that is accepted rather than reshuffling reviews already under way.
import { createPrng } from './prng';

/** Recorded with every draw so an old draw can still be re-derived after this module changes. */
export const ASSIGNMENT_ALGORITHM = 'assign-v1';

export type CityId = string | number;

export interface AssignmentSpace {
  id: string;
  cityId: CityId;
}

export interface AssignmentExpert {
  id: string;
  cityId: CityId;
}

/** An (expert, space) pair the expert declared a conflict of interest for. */
export interface Conflict {
  expertId: string;
  spaceId: string;
}

export interface AssignInput {
  spaces: readonly AssignmentSpace[];
  experts: readonly AssignmentExpert[];
  conflicts?: readonly Conflict[];
  /** Experts per space (SPEC §7: three; campaign config review.expertsPerSpace). */
  perSpace?: number;
  seed: string;
  /** Reviews already held by each expert in this review, balanced together with the new ones. */
  existingLoads?: Readonly<Record<string, number>>;
}

export type AssignmentProblemKind =
  | 'invalid_input'
  /** A space has fewer eligible experts than it needs. */
  | 'space_short'
  /** An expert may review fewer spaces than a balanced share gives it. */
  | 'expert_short'
  /** A group of experts or spaces makes the balance impossible (found by the min cut). */
  | 'unbalanced';

export interface AssignmentProblem {
  kind: AssignmentProblemKind;
  message: string;
  spaceIds?: string[];
  expertIds?: string[];
}

export interface IdleExpert {
  expertId: string;
  reason: string;
}

export interface AssignmentOk {
  ok: true;
  /** Space id → its experts' ids, sorted. */
  assignments: Record<string, string[]>;
  /** Expert id → total load (existing + new), for every expert passed in. */
  loads: Record<string, number>;
  /** The pool's balance: the least and greatest total load among pool experts. */
  balance: { poolSize: number; minLoad: number; maxLoad: number };
  idle: IdleExpert[];
  seed: string;
  algorithm: typeof ASSIGNMENT_ALGORITHM;
}

export interface AssignmentFailed {
  ok: false;
  problems: AssignmentProblem[];
  seed: string;
  algorithm: typeof ASSIGNMENT_ALGORITHM;
}

export type AssignmentResult = AssignmentOk | AssignmentFailed;

const LISTED = 5;

export function assign(input: AssignInput): AssignmentResult {
  const perSpace = input.perSpace ?? 3;
  const fail = (problems: AssignmentProblem[]): AssignmentFailed => ({ ok: false, problems, seed: input.seed, algorithm: ASSIGNMENT_ALGORITHM });

  const invalid = checkInput(input, perSpace);
  if (invalid.length > 0) return fail(invalid);

  const spaces = [...input.spaces].sort(byId);
  const experts = [...input.experts].sort(byId);
  const S = spaces.length;
  const E = experts.length;
  const base = experts.map((e) => ownNumber(input.existingLoads, e.id) ?? 0);
  const elig = eligibility(spaces, experts, input.conflicts ?? []);

  const problems: AssignmentProblem[] = [];
  for (let s = 0; s < S; s++) {
    const n = elig.bySpace[s].length;
    if (n >= perSpace) continue;
    const sp = spaces[s];
    const sameCity = elig.sameCityOfSpace[s];
    const conflicted = elig.conflictedOfSpace[s];
    problems.push({
      kind: 'space_short',
      message:
        `space ${sp.id} (city ${sp.cityId}) has only ${n} eligible expert${n === 1 ? '' : 's'} outside its city after conflicts; needs ${perSpace} ` +
        `(${E} active, ${sameCity} from its city, ${conflicted} declared a conflict)`,
      spaceIds: [sp.id],
    });
  }

  const idle: IdleExpert[] = [];
  const pool: number[] = [];
  for (let e = 0; e < E; e++) {
    if (elig.degree[e] > 0) pool.push(e);
    else idle.push({ expertId: experts[e].id, reason: idleReason(S, elig.sameCityOfExpert[e], elig.conflictedOfExpert[e], experts[e].cityId) });
  }

  if (problems.length > 0) return fail(problems);

  const T = S * perSpace;
  const { lower, upper } = balanceBounds(pool.map((e) => base[e]), T);
  const lo = new Int32Array(E);
  const hi = new Int32Array(E);
  pool.forEach((e, i) => {
    lo[e] = lower[i];
    hi[e] = upper[i];
  });

  for (const e of pool) {
    if (elig.degree[e] >= lo[e]) continue;
    const ex = experts[e];
    problems.push({
      kind: 'expert_short',
      message:
        `loads cannot be balanced within 1: expert ${ex.id} (city ${ex.cityId}) may review only ${elig.degree[e]} of the ${S} spaces ` +
        `(${elig.sameCityOfExpert[e]} are in its city, ${elig.conflictedOfExpert[e]} conflicted) but a balanced draw gives it at least ${lo[e]}`,
      expertIds: [ex.id],
    });
  }
  if (problems.length > 0) return fail(problems);

  // Nodes: 0 source, 1..S spaces, S+1..S+E experts, S+E+1 sink.
  const source = 0;
  const sink = S + E + 1;
  const spaceNode = (s: number) => 1 + s;
  const expertNode = (e: number) => 1 + S + e;
  let edgeCount = S + E;
  for (let s = 0; s < S; s++) edgeCount += elig.bySpace[s].length;
  const net = new FlowNetwork(S + E + 2, edgeCount);

  const prng = createPrng(input.seed);
  const spaceOrder = prng.shuffle(Array.from({ length: S }, (_, i) => i));
  for (const s of spaceOrder) net.addEdge(source, spaceNode(s), perSpace);
  for (const s of spaceOrder) {
    for (const e of prng.shuffle(elig.bySpace[s].slice())) net.addEdge(spaceNode(s), expertNode(e), 1);
  }
  const sinkEdge = new Int32Array(E).fill(-1);
  for (const e of pool) sinkEdge[e] = net.addEdge(expertNode(e), sink, lo[e]);

  const needLower = pool.reduce((acc, e) => acc + lo[e], 0);
  const phase1 = net.maxFlow(source, sink);
  if (phase1 < needLower) return fail([lowerBoundProblem(net.reachable(source), { spaces, experts, pool, elig, lo, perSpace, expertNode })]);

  for (const e of pool) net.raise(sinkEdge[e], hi[e] - lo[e]);
  const total = phase1 + net.maxFlow(source, sink);
  if (total < T) return fail([upperBoundProblem(net.reachable(source), { spaces, experts, elig, hi, perSpace, spaceNode, expertNode })]);

  const assignments: [string, string[]][] = [];
  const added = new Int32Array(E);
  for (let s = 0; s < S; s++) {
    const chosen: string[] = [];
    for (let a = net.head[spaceNode(s)]; a !== -1; a = net.next[a]) {
      const to = net.to[a];
      if ((a & 1) === 0 && to > S && to !== sink && net.cap[a] === 0) {
        const e = to - 1 - S;
        chosen.push(experts[e].id);
        added[e]++;
      }
    }
    assignments.push([spaces[s].id, chosen.sort()]);
  }

  const loads = experts.map((ex, e): [string, number] => [ex.id, base[e] + added[e]]);
  let minLoad = Infinity;
  let maxLoad = -Infinity;
  for (const e of pool) {
    minLoad = Math.min(minLoad, base[e] + added[e]);
    maxLoad = Math.max(maxLoad, base[e] + added[e]);
  }
  return {
    ok: true,
    assignments: Object.fromEntries(assignments),
    loads: Object.fromEntries(loads),
    balance: { poolSize: pool.length, minLoad: pool.length ? minLoad : 0, maxLoad: pool.length ? maxLoad : 0 },
    idle,
    seed: input.seed,
    algorithm: ASSIGNMENT_ALGORITHM,
  };
}

/**
 * The balanced load range of each pool expert by water filling over its existing load `b`:
 * H is the least level with Σ max(0, H − b) ≥ T; an expert gets between max(0, H − 1 − b) and
 * max(0, H − b) new reviews. When those ranges leave no slack (Σ upper = T) every expert must take
 * its upper bound, so the lower bound is tightened to it.
 */
export function balanceBounds(base: readonly number[], T: number): { lower: number[]; upper: number[]; level: number } {
  const room = (H: number) => base.reduce((acc, b) => acc + Math.max(0, H - b), 0);
  if (base.length === 0) return { lower: [], upper: [], level: 0 };
  let lo = 0;
  let hi = Math.max(0, ...base) + Math.ceil(T / base.length) + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (room(mid) >= T) hi = mid;
    else lo = mid + 1;
  }
  const H = lo;
  const upper = base.map((b) => Math.max(0, H - b));
  const slack = upper.reduce((a, b) => a + b, 0) - T;
  const lower = base.map((b, i) => Math.max(0, H - 1 - b, upper[i] - slack));
  return { lower, upper, level: H };
}

export interface ReplaceInput {
  assignment: Readonly<Record<string, readonly string[]>>;
  loads: Readonly<Record<string, number>>;
  spaceId: string;
  /** The expert to replace. */
  expertId: string;
  spaces: readonly AssignmentSpace[];
  /** The active experts: the replaced one may be among them or not. */
  experts: readonly AssignmentExpert[];
  conflicts?: readonly Conflict[];
  seed: string;
  /** Experts replaced on this space before, who must not come back. */
  exclude?: readonly string[];
}

export interface ReplaceOk {
  ok: true;
  spaceId: string;
  replaced: string;
  expertId: string;
  /** The space's experts after the replacement, sorted. */
  experts: string[];
  assignment: Record<string, string[]>;
  loads: Record<string, number>;
  /** The seed the tie-break used, for the record. */
  seed: string;
  algorithm: typeof ASSIGNMENT_ALGORITHM;
}

export type ReplaceResult = ReplaceOk | AssignmentFailed;

/**
 * Replaces one expert of one space with a new draw under the same hard constraints; the replaced
 * expert, the space's other experts and `exclude` are never drawn. Among the eligible the least
 * loaded win, and the seed with the space and the replaced expert breaks ties, so a replacement
 * is reproducible like the draw.
 */
export function replace(input: ReplaceInput): ReplaceResult {
  const fail = (problems: AssignmentProblem[]): AssignmentFailed => ({ ok: false, problems, seed: input.seed, algorithm: ASSIGNMENT_ALGORITHM });
  const space = input.spaces.find((s) => s.id === input.spaceId);
  if (!space) return fail([{ kind: 'invalid_input', message: `space ${input.spaceId} is not among the spaces in review`, spaceIds: [input.spaceId] }]);
  const current = ownValue(input.assignment, input.spaceId) ?? [];
  if (!current.includes(input.expertId)) {
    return fail([{ kind: 'invalid_input', message: `expert ${input.expertId} is not assigned to space ${input.spaceId}`, spaceIds: [input.spaceId], expertIds: [input.expertId] }]);
  }

  const conflicted = new Set((input.conflicts ?? []).filter((c) => c.spaceId === input.spaceId).map((c) => c.expertId));
  const onSpace = new Set(current);
  const excluded = new Set(input.exclude ?? []);
  const counts = { sameCity: 0, assigned: 0, conflicted: 0, excluded: 0 };
  const candidates: AssignmentExpert[] = [];
  for (const ex of input.experts) {
    if (ex.id === input.expertId || onSpace.has(ex.id)) counts.assigned++;
    else if (sameCity(ex.cityId, space.cityId)) counts.sameCity++;
    else if (conflicted.has(ex.id)) counts.conflicted++;
    else if (excluded.has(ex.id)) counts.excluded++;
    else candidates.push(ex);
  }
  if (candidates.length === 0) {
    return fail([
      {
        kind: 'space_short',
        message:
          `space ${space.id} (city ${space.cityId}) has no eligible expert left to replace ${input.expertId}: of ${input.experts.length} active experts, ` +
          `${counts.sameCity} are from its city, ${counts.assigned} are already assigned to it, ${counts.conflicted} declared a conflict, ${counts.excluded} were replaced on it before`,
        spaceIds: [space.id],
        expertIds: [input.expertId],
      },
    ]);
  }

  const loadOf = (id: string) => ownNumber(input.loads, id) ?? 0;
  const least = Math.min(...candidates.map((c) => loadOf(c.id)));
  const tied = candidates.filter((c) => loadOf(c.id) === least).sort(byId);
  const drawSeed = `${input.seed}|replace|${input.spaceId}|${input.expertId}`;
  const chosen = tied[createPrng(drawSeed).int(tied.length)].id;

  const experts = current.map((id) => (id === input.expertId ? chosen : id)).sort();
  const loads: Record<string, number> = { ...input.loads };
  loads[input.expertId] = Math.max(0, loadOf(input.expertId) - 1);
  loads[chosen] = least + 1;
  return {
    ok: true,
    spaceId: space.id,
    replaced: input.expertId,
    expertId: chosen,
    experts,
    assignment: { ...(input.assignment as Record<string, string[]>), [space.id]: experts },
    loads,
    seed: drawSeed,
    algorithm: ASSIGNMENT_ALGORITHM,
  };
}

interface Eligibility {
  /** Eligible expert indices of each space. */
  bySpace: number[][];
  degree: Int32Array;
  sameCityOfSpace: Int32Array;
  conflictedOfSpace: Int32Array;
  sameCityOfExpert: Int32Array;
  conflictedOfExpert: Int32Array;
}

function eligibility(spaces: readonly AssignmentSpace[], experts: readonly AssignmentExpert[], conflicts: readonly Conflict[]): Eligibility {
  const S = spaces.length;
  const E = experts.length;
  const spaceIndex = new Map(spaces.map((s, i) => [s.id, i]));
  const expertIndex = new Map(experts.map((e, i) => [e.id, i]));
  const cityKeys = new Map<string, number>();
  const cityOf = (c: CityId) => {
    const k = String(c);
    let v = cityKeys.get(k);
    if (v === undefined) cityKeys.set(k, (v = cityKeys.size));
    return v;
  };
  const expertCity = experts.map((e) => cityOf(e.cityId));
  const spaceCity = spaces.map((s) => cityOf(s.cityId));

  // Conflicts naming a space or expert not in this draw are moot; one with an expert of the
  // space's own city changes nothing, so it is counted once, as city.
  const conflictSet = new Set<number>();
  for (const c of conflicts) {
    const s = spaceIndex.get(c.spaceId);
    const e = expertIndex.get(c.expertId);
    if (s === undefined || e === undefined || expertCity[e] === spaceCity[s]) continue;
    conflictSet.add(s * E + e);
  }

  const out: Eligibility = {
    bySpace: [],
    degree: new Int32Array(E),
    sameCityOfSpace: new Int32Array(S),
    conflictedOfSpace: new Int32Array(S),
    sameCityOfExpert: new Int32Array(E),
    conflictedOfExpert: new Int32Array(E),
  };
  for (let s = 0; s < S; s++) {
    const list: number[] = [];
    for (let e = 0; e < E; e++) {
      if (expertCity[e] === spaceCity[s]) {
        out.sameCityOfSpace[s]++;
        out.sameCityOfExpert[e]++;
      } else if (conflictSet.has(s * E + e)) {
        out.conflictedOfSpace[s]++;
        out.conflictedOfExpert[e]++;
      } else {
        list.push(e);
        out.degree[e]++;
      }
    }
    out.bySpace.push(list);
  }
  return out;
}

interface CutContext {
  spaces: readonly AssignmentSpace[];
  experts: readonly AssignmentExpert[];
  elig: Eligibility;
  perSpace: number;
  expertNode: (e: number) => number;
}

/**
 * Phase one fell short: the experts the source cannot reach in the residual network (B) need more
 * reviews between them than the spaces open to them can give, Σ_s min(perSpace, |experts of s in B|).
 */
function lowerBoundProblem(reached: Uint8Array, ctx: CutContext & { pool: number[]; lo: Int32Array }): AssignmentProblem {
  const B = ctx.pool.filter((e) => !reached[ctx.expertNode(e)] && ctx.lo[e] > 0);
  const inB = new Uint8Array(ctx.experts.length);
  for (const e of B) inB[e] = 1;
  let can = 0;
  ctx.elig.bySpace.forEach((list) => {
    let n = 0;
    for (const e of list) n += inB[e];
    can += Math.min(ctx.perSpace, n);
  });
  const need = B.reduce((acc, e) => acc + ctx.lo[e], 0);
  const same = B.every((e) => ctx.lo[e] === ctx.lo[B[0]]);
  const ids = B.map((e) => ctx.experts[e].id);
  const named = listed(B.map((e) => `${ctx.experts[e].id} (city ${ctx.experts[e].cityId})`));
  return {
    kind: 'unbalanced',
    message:
      `loads cannot be balanced within 1: the ${B.length} expert${B.length === 1 ? '' : 's'} ${named} must take at least ${need} reviews ` +
      `${same ? `(${ctx.lo[B[0]]} each) ` : 'between them '}but the spaces open to them (outside their cities, not conflicted) can give them at most ${can}`,
    expertIds: ids,
  };
}

/**
 * Phase two fell short: the spaces the source still reaches (A) need more reviews than the
 * experts open to them can take without passing the balanced load, Σ_e min(upper, |spaces of e in A|).
 */
function upperBoundProblem(reached: Uint8Array, ctx: CutContext & { hi: Int32Array; spaceNode: (s: number) => number }): AssignmentProblem {
  const A: number[] = [];
  for (let s = 0; s < ctx.spaces.length; s++) if (reached[ctx.spaceNode(s)]) A.push(s);
  const inA = new Int32Array(ctx.experts.length);
  for (const s of A) for (const e of ctx.elig.bySpace[s]) inA[e]++;
  let can = 0;
  const uppers = new Set<number>();
  inA.forEach((n, e) => {
    if (n === 0) return;
    can += Math.min(ctx.hi[e], n);
    uppers.add(ctx.hi[e]);
  });
  const named = listed(A.map((s) => `${ctx.spaces[s].id} (city ${ctx.spaces[s].cityId})`));
  const cap = uppers.size === 1 ? `the balanced load of ${[...uppers][0]} each` : 'their balanced loads';
  return {
    kind: 'unbalanced',
    message:
      `loads cannot be balanced within 1: the ${A.length} space${A.length === 1 ? '' : 's'} ${named} need ${A.length * ctx.perSpace} reviews ` +
      `but the experts open to them can take at most ${can} without going past ${cap}`,
    spaceIds: A.map((s) => ctx.spaces[s].id),
  };
}

function checkInput(input: AssignInput, perSpace: number): AssignmentProblem[] {
  const problems: AssignmentProblem[] = [];
  if (!Number.isInteger(perSpace) || perSpace < 1) problems.push({ kind: 'invalid_input', message: `perSpace must be a whole number ≥ 1, got ${perSpace}` });
  if (typeof input.seed !== 'string' || input.seed.length === 0) problems.push({ kind: 'invalid_input', message: 'a non-empty seed is required so the draw can be reproduced' });
  for (const [what, list] of [['space', input.spaces], ['expert', input.experts]] as const) {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const x of list) (seen.has(x.id) ? dup : seen).add(x.id);
    if (dup.size === 0) continue;
    const ids = [...dup].sort();
    const message = `${what} ids appear more than once: ${listed(ids)}`;
    problems.push(what === 'space' ? { kind: 'invalid_input', message, spaceIds: ids } : { kind: 'invalid_input', message, expertIds: ids });
  }
  for (const [id, n] of Object.entries(input.existingLoads ?? {})) {
    if (!Number.isInteger(n) || n < 0) problems.push({ kind: 'invalid_input', message: `existing load of expert ${id} must be a whole number ≥ 0, got ${n}`, expertIds: [id] });
  }
  return problems;
}

function idleReason(spaceCount: number, sameCity: number, conflicted: number, cityId: CityId): string {
  if (spaceCount === 0) return 'no space is in review';
  if (conflicted === 0) return `all ${spaceCount} spaces are in its own city (${cityId})`;
  return `none of the ${spaceCount} spaces is open to it: ${sameCity} are in its own city (${cityId}), ${conflicted} conflicted`;
}

function listed(items: readonly string[]): string {
  if (items.length <= LISTED) return items.join(', ');
  return `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

function byId(a: { id: string }, b: { id: string }): number {
  // Code-unit order, not localeCompare: the same on every machine.
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sameCity(a: CityId, b: CityId): boolean {
  return String(a) === String(b);
}

function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function ownNumber(record: Readonly<Record<string, number>> | undefined, key: string): number | undefined {
  const v = ownValue(record, key);
  return typeof v === 'number' ? v : undefined;
}

/** Dinic's max flow on typed arrays; arcs come in pairs (forward even, reverse odd). */
class FlowNetwork {
  readonly head: Int32Array;
  readonly next: Int32Array;
  readonly to: Int32Array;
  readonly cap: Int32Array;
  edgeCount = 0;
  private readonly level: Int32Array;
  private readonly iter: Int32Array;
  private readonly queue: Int32Array;

  constructor(nodes: number, edges: number) {
    this.head = new Int32Array(nodes).fill(-1);
    this.next = new Int32Array(2 * edges);
    this.to = new Int32Array(2 * edges);
    this.cap = new Int32Array(2 * edges);
    this.level = new Int32Array(nodes);
    this.iter = new Int32Array(nodes);
    this.queue = new Int32Array(nodes);
  }

  /** Adds u → v and returns the forward arc's index. */
  addEdge(u: number, v: number, capacity: number): number {
    const a = 2 * this.edgeCount++;
    this.to[a] = v;
    this.cap[a] = capacity;
    this.next[a] = this.head[u];
    this.head[u] = a;
    this.to[a + 1] = u;
    this.cap[a + 1] = 0;
    this.next[a + 1] = this.head[v];
    this.head[v] = a + 1;
    return a;
  }

  raise(arc: number, by: number): void {
    this.cap[arc] += by;
  }

  /** Augments from the current flow to a maximum one; returns the flow added. */
  maxFlow(s: number, t: number): number {
    let flow = 0;
    while (this.bfs(s, t)) {
      this.iter.set(this.head);
      for (let f = this.dfs(s, t, 0x3fffffff); f > 0; f = this.dfs(s, t, 0x3fffffff)) flow += f;
    }
    return flow;
  }

  /** Nodes reachable from s in the residual network: the source side of a min cut. */
  reachable(s: number): Uint8Array {
    const seen = new Uint8Array(this.head.length);
    let qh = 0;
    let qt = 0;
    this.queue[qt++] = s;
    seen[s] = 1;
    while (qh < qt) {
      const u = this.queue[qh++];
      for (let a = this.head[u]; a !== -1; a = this.next[a]) {
        const v = this.to[a];
        if (this.cap[a] > 0 && !seen[v]) {
          seen[v] = 1;
          this.queue[qt++] = v;
        }
      }
    }
    return seen;
  }

  private bfs(s: number, t: number): boolean {
    this.level.fill(-1);
    let qh = 0;
    let qt = 0;
    this.queue[qt++] = s;
    this.level[s] = 0;
    while (qh < qt) {
      const u = this.queue[qh++];
      for (let a = this.head[u]; a !== -1; a = this.next[a]) {
        const v = this.to[a];
        if (this.cap[a] > 0 && this.level[v] < 0) {
          this.level[v] = this.level[u] + 1;
          this.queue[qt++] = v;
        }
      }
    }
    return this.level[t] >= 0;
  }

  // Recursion depth is bounded by the level of the sink: at most 2·min(spaces, experts) + 3.
  private dfs(u: number, t: number, f: number): number {
    if (u === t) return f;
    for (; this.iter[u] !== -1; this.iter[u] = this.next[this.iter[u]]) {
      const a = this.iter[u];
      const v = this.to[a];
      if (this.cap[a] > 0 && this.level[v] === this.level[u] + 1) {
        const d = this.dfs(v, t, f < this.cap[a] ? f : this.cap[a]);
        if (d > 0) {
          this.cap[a] -= d;
          this.cap[a ^ 1] += d;
          return d;
        }
      }
    }
    return 0;
  }
}
