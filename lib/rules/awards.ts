// Results and awards (评审结果与奖项, SPEC §8). Pure: the proposal, the publication snapshot and
// the settlement of objections all place entrants with these functions.
//
// Final ranking, per ranking key — the award group (teachers with education workers, as their
// rubric and review selection do; students), and the school stage too when awards.byStage:
//   1. final score, higher first (compared in hundredths, as it is rounded);
//   2. the voting-ranking score (votes + w × accepted boosts), higher first;
//   3. votes, more first;
//   4. registration time, earlier first (先报名者优先);
//   5. entrant id — a stable last resort.
// Ranks are positions (1, 2, 3 …): entrants never share a rank in the published list.
//
// Tier sizes (一、二、三等奖及优秀奖), from N ranked entrants: tiers go first → excellence. A tier
// with `count` takes that many; tiers with `share` are cumulative: the share tiers up to and
// including tier k cover round-half-up(N × (s1 + … + sk)) entrants, so rounding never adds up
// across tiers and shares summing to 1 award all N. Never more than N in all. A tie at a tier
// boundary is decided by the tie-break above; tiers do not grow to take ties in.
//
// Special awards (单项奖), per award group, over the published entrants:
//   popularity (最佳人气奖): the top `popularity[group]` by the voting ranking (lib/rules/ranking.ts);
//     an entrant with no vote and no boost is not "popular" and wins nothing.
//   sharing (教学成果分享奖, teachers): entrants the province admin marked (entrant_flag), in final
//     ranking order, at most `sharing`.
//   talent (才艺达人奖, students): talent score = (1 − a) × the experts' average on the talent item
//     (growth.talent, 才艺展示) over its maximum + a × votes over the most votes among the group's
//     published students (the attention it got), a = attentionWeight (0.3); a space without item
//     scores counts 0 for the item. The top `talent.count` with a score above 0; equal scores
//     follow the final ranking.
// Special awards may go to entrants who also won a tier. The lifecycle learns one award: the
// tier if any, else the first special award in the order popularity, sharing, talent.
//
// Settlement of an objection (异议) changes only the entrant objected to: the published list is
// what the notice showed, and nobody else's award moves. A corrected (or re-reviewed) score is
// placed against the published cut-offs: the best tier whose lowest published final score is at
// or below the new score (an equal score takes the tier); its rank becomes 1 + the entrants of
// its ranking key that the tie-break puts ahead of it (so a rank may then be shared). A
// disqualified entrant loses every award and nobody moves up.
//
// Group awards (团体类奖: counties, schools) and organisation awards (组织类奖: cities), per level:
//   score = wT × min(1, teacher registration progress) + wS × min(1, student registration progress)
//         + wP × prize density / the highest prize density of the level
// progress = registered / target (SPEC §9: teachers 100 %, students 10 % of the roster; 0 for a
// unit without a roster), prize density = prize points per 100 registered, prize points = 4/3/2/1
// for a first/second/third prize/excellence award plus 1 per special award. Default weights
// 0.6 / 0.2 / 0.2. Units with no registration or a score of 0 win nothing; ties: prize points,
// then registrations, then code. The top N of each level win (awards.group.counts).
import { rankingScore } from './ranking';
import type { Category } from './schedule';

export const TIERS = ['first', 'second', 'third', 'excellence'] as const;
export type AwardTier = (typeof TIERS)[number];
export const SPECIAL_AWARDS = ['popularity', 'sharing', 'talent'] as const;
export type SpecialAward = (typeof SPECIAL_AWARDS)[number];
export type RankingGroup = 'teacher' | 'student';

export interface TierRule {
  key: AwardTier;
  share?: number;
  count?: number;
}

export function rankingGroup(category: Category): RankingGroup {
  return category === 'student' ? 'student' : 'teacher';
}

/** `teacher`, `student`, or with awards.byStage `teacher:primary` etc. */
export function rankingKey(group: RankingGroup, stage: string, byStage: boolean): string {
  return byStage ? `${group}:${stage}` : group;
}

const hundredths = (x: number) => Math.round(x * 100);
const MILLION = 1_000_000;

/** How many entrants each tier takes out of n (see the head of this module). */
export function tierSizes(n: number, tiers: readonly TierRule[]): { key: AwardTier; size: number }[] {
  const ordered = [...tiers].sort((a, b) => TIERS.indexOf(a.key) - TIERS.indexOf(b.key));
  let cumulativeShare = 0; // in millionths, so the boundary is exact integer arithmetic
  let shareBoundary = 0;
  let given = 0;
  return ordered.map((t) => {
    let size = 0;
    if (t.count !== undefined) size = t.count;
    else if (t.share !== undefined) {
      cumulativeShare += Math.round(t.share * MILLION);
      const boundary = Math.floor((n * cumulativeShare + MILLION / 2) / MILLION);
      size = boundary - shareBoundary;
      shareBoundary = boundary;
    }
    size = Math.max(0, Math.min(size, n - given));
    given += size;
    return { key: t.key, size };
  });
}

export interface Contender {
  id: string;
  finalScore: number;
  votes: number;
  acceptedBoosts: number;
  registeredAt: string | Date;
}

/** The final ranking's order (see the head of this module). */
export function compareFinal(boostWeight: number) {
  return (a: Contender, b: Contender): number => {
    const byScore = hundredths(b.finalScore) - hundredths(a.finalScore);
    if (byScore !== 0) return byScore;
    const byVoting = hundredths(rankingScore(b.votes, b.acceptedBoosts, boostWeight)) - hundredths(rankingScore(a.votes, a.acceptedBoosts, boostWeight));
    if (byVoting !== 0) return byVoting;
    if (a.votes !== b.votes) return b.votes - a.votes;
    const ra = new Date(a.registeredAt).getTime();
    const rb = new Date(b.registeredAt).getTime();
    if (ra !== rb) return ra - rb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

export interface TierCutoff {
  tier: AwardTier;
  size: number;
  /** The lowest final score in the tier as published; null for an empty tier. */
  lowestScore: number | null;
}

export interface Placement {
  rank: number;
  tier: AwardTier | null;
}

/** Ranks every ranking key and hands out its tiers; also returns each key's cut-offs. */
export function rankAndAward<T extends Contender & { rankingKey: string }>(
  contenders: readonly T[],
  tiers: readonly TierRule[],
  boostWeight: number,
): { placements: Map<string, Placement>; cutoffs: Record<string, TierCutoff[]>; order: T[] } {
  const cmp = compareFinal(boostWeight);
  const byKey = new Map<string, T[]>();
  for (const c of contenders) byKey.set(c.rankingKey, [...(byKey.get(c.rankingKey) ?? []), c]);
  const placements = new Map<string, Placement>();
  const cutoffs: Record<string, TierCutoff[]> = {};
  const order: T[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const ranked = byKey.get(key)!.sort(cmp);
    const sizes = tierSizes(ranked.length, tiers);
    let at = 0;
    cutoffs[key] = sizes.map(({ key: tier, size }) => {
      const members = ranked.slice(at, at + size);
      members.forEach((m, i) => placements.set(m.id, { rank: at + i + 1, tier }));
      at += size;
      return { tier, size, lowestScore: members.length ? members[members.length - 1].finalScore : null };
    });
    ranked.slice(at).forEach((m, i) => placements.set(m.id, { rank: at + i + 1, tier: null }));
    order.push(...ranked);
  }
  return { placements, cutoffs, order };
}

/** The tier a corrected or re-reviewed score earns against the published cut-offs. */
export function placeByCutoffs(score: number, cutoffs: readonly TierCutoff[]): AwardTier | null {
  for (const c of cutoffs) {
    if (c.size > 0 && c.lowestScore !== null && hundredths(score) >= hundredths(c.lowestScore)) return c.tier;
  }
  return null;
}

/** 1 + the others of its ranking key the tie-break puts ahead of the entrant. */
export function rankAmong(entrant: Contender, others: readonly Contender[], boostWeight: number): number {
  const cmp = compareFinal(boostWeight);
  return 1 + others.filter((o) => o.id !== entrant.id && cmp(o, entrant) < 0).length;
}

export interface VotingEntry {
  id: string;
  votes: number;
  acceptedBoosts: number;
  registeredAt: string | Date;
}

/** 最佳人气奖: the top `count` by the voting ranking, none without a vote or a boost. */
export function popularityWinners(pool: readonly VotingEntry[], boostWeight: number, count: number): string[] {
  const order = (a: VotingEntry, b: VotingEntry) => {
    const d = hundredths(rankingScore(b.votes, b.acceptedBoosts, boostWeight)) - hundredths(rankingScore(a.votes, a.acceptedBoosts, boostWeight));
    if (d !== 0) return d;
    if (a.votes !== b.votes) return b.votes - a.votes;
    const ra = new Date(a.registeredAt).getTime();
    const rb = new Date(b.registeredAt).getTime();
    if (ra !== rb) return ra - rb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  return pool
    .filter((e) => rankingScore(e.votes, e.acceptedBoosts, boostWeight) > 0)
    .sort(order)
    .slice(0, Math.max(0, count))
    .map((e) => e.id);
}

/** 教学成果分享奖: the marked entrants, in final ranking order (`ranked` is already in it). */
export function sharingWinners(ranked: readonly { id: string }[], marked: ReadonlySet<string>, count: number): string[] {
  return ranked.filter((e) => marked.has(e.id)).slice(0, Math.max(0, count)).map((e) => e.id);
}

/** 才艺达人奖's score, 0..1 to 4 decimals (see the head of this module). */
export function talentScore(itemAverage: number | null, itemMax: number, votes: number, maxVotes: number, attentionWeight: number): number {
  const item = itemAverage === null || itemMax <= 0 ? 0 : Math.min(1, Math.max(0, itemAverage / itemMax));
  const attention = maxVotes > 0 ? Math.min(1, votes / maxVotes) : 0;
  return Math.round(((1 - attentionWeight) * item + attentionWeight * attention) * 10_000) / 10_000;
}

/** The top `count` by talent score (above 0); `ranked` is in final ranking order, which breaks ties. */
export function talentWinners(ranked: readonly { id: string; talentScore: number }[], count: number): string[] {
  return ranked
    .map((e, i) => ({ ...e, i }))
    .filter((e) => e.talentScore > 0)
    .sort((a, b) => b.talentScore - a.talentScore || a.i - b.i)
    .slice(0, Math.max(0, count))
    .map((e) => e.id);
}

/** The one award the lifecycle is told: the tier, else the first special award. */
export function primaryAward(tier: AwardTier | null, specials: readonly string[]): string | null {
  if (tier) return tier;
  return SPECIAL_AWARDS.find((s) => specials.includes(s)) ?? null;
}

export const PRIZE_POINTS: Record<AwardTier, number> = { first: 4, second: 3, third: 2, excellence: 1 };

export function prizePoints(tier: AwardTier | null, specials: readonly string[]): number {
  return (tier ? PRIZE_POINTS[tier] : 0) + specials.length;
}

export interface GroupWeights {
  teacherRate: number;
  studentRate: number;
  prizes: number;
}

export interface UnitStanding {
  id: number;
  code: string;
  name: string;
  /** registered / target; null without a roster. */
  teacherProgress: number | null;
  studentProgress: number | null;
  /** Teachers, education workers and students who signed up and did not leave. */
  registered: number;
  prizePoints: number;
}

export interface ScoredUnit extends UnitStanding {
  teacherPart: number;
  studentPart: number;
  /** Prize points per 100 registered. */
  prizeDensity: number;
  prizePart: number;
  score: number;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The units of one level scored by the group formula, best first; units without registrations left out. */
export function scoreUnits(units: readonly UnitStanding[], weights: GroupWeights): ScoredUnit[] {
  const live = units.filter((u) => u.registered > 0);
  const density = (u: UnitStanding) => (u.prizePoints * 100) / u.registered;
  const maxDensity = live.reduce((m, u) => Math.max(m, density(u)), 0);
  return live
    .map((u) => {
      const teacherPart = Math.min(1, Math.max(0, u.teacherProgress ?? 0));
      const studentPart = Math.min(1, Math.max(0, u.studentProgress ?? 0));
      const prizeDensity = density(u);
      const prizePart = maxDensity > 0 ? prizeDensity / maxDensity : 0;
      const score = round4(weights.teacherRate * teacherPart + weights.studentRate * studentPart + weights.prizes * prizePart);
      return { ...u, teacherPart: round4(teacherPart), studentPart: round4(studentPart), prizeDensity: round4(prizeDensity), prizePart: round4(prizePart), score };
    })
    .sort((a, b) => b.score - a.score || b.prizePoints - a.prizePoints || b.registered - a.registered || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** The top `count` units of a level with a score above 0, ranked 1.. */
export function groupWinners(units: readonly UnitStanding[], weights: GroupWeights, count: number): (ScoredUnit & { rank: number })[] {
  return scoreUnits(units, weights)
    .filter((u) => u.score > 0)
    .slice(0, Math.max(0, count))
    .map((u, i) => ({ ...u, rank: i + 1 }));
}
