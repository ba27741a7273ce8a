// Expert scoring (专家评审打分, SPEC §7): the rubric of a space's kind, the checks on a score
// sheet, the bonus/penalty range (评审加分减分), the final score, and the discrepancy rule. Pure,
// so the API (to refuse a sheet) and the entrant workflow (to combine scores) share one rule.
//
// Numbers: item scores have at most one decimal; the bonus/penalty is whole points (the notice
// says "加1-5分"); an expert's total = rubric total + adjustment, so it has at most one decimal
// and may fall below 0 or pass the rubric's maximum (a −5 on a weak space, a +5 on a strong one).
// Sums are taken in integer tenths/hundredths so that, e.g., 0.1 + 0.2 is 0.3.
//
// Fourth review [ours]: when the three totals differ by more than the campaign's threshold D
// (review.discrepancyThreshold, default 20) the space is flagged and the province admin may order
// a fourth review. With four totals, the one farthest from their median is dropped and the other
// three are averaged: the final score stays "the average of three experts" as the notice says,
// and the fourth review overrules a single outlier rather than diluting it (a plain average of
// four keeps a quarter of the outlier; the median of four would discard two of the experts). When
// no single total is farthest (two equally far, one on each side: the experts split two against
// two) there is no outlier to drop, and all four are averaged. The result is final; it is not
// checked for discrepancy again.
import type { CampaignConfig } from '../campaign-config';
import type { Category } from './schedule';

export type Rubric = CampaignConfig['rubric'];
export type RubricItem = Rubric['teacher'][number];

/** A per-field refusal, in the shape of the API's validation details. */
export interface FieldError {
  path: string;
  message: string;
}

/** Education workers (相关教育工作者) are scored like teachers, student-boost items included. */
export function rubricFor(rubric: Rubric, category: Category): RubricItem[] {
  return category === 'student' ? rubric.student : rubric.teacher;
}

export function maxTotal(items: readonly RubricItem[]): number {
  return items.reduce((acc, i) => acc + tenths(i.max), 0) / 10;
}

export type ScoreCheck = { ok: true; total: number } | { ok: false; errors: FieldError[] };

/**
 * Every item of the rubric present, each a number from 0 to its maximum with at most one
 * decimal, and no key outside the rubric. `path` prefixes the item key in the errors.
 */
export function validateScore(items: readonly RubricItem[], itemScores: Readonly<Record<string, unknown>> | null | undefined, path = 'items'): ScoreCheck {
  const errors: FieldError[] = [];
  const given = itemScores ?? {};
  let total = 0;
  for (const item of items) {
    const at = `${path}.${item.key}`;
    const v = Object.prototype.hasOwnProperty.call(given, item.key) ? given[item.key] : undefined;
    const range = `from 0 to ${item.max}`;
    if (v === undefined || v === null) errors.push({ path: at, message: `${item.label} is missing: give a score ${range}` });
    else if (typeof v !== 'number' || !Number.isFinite(v)) errors.push({ path: at, message: `${item.label} must be a number ${range}` });
    else if (v < 0 || v > item.max) errors.push({ path: at, message: `${item.label} must be ${range}; got ${v}` });
    else if (!hasAtMostOneDecimal(v)) errors.push({ path: at, message: `${item.label} takes at most one decimal place; got ${v}` });
    else total += tenths(v);
  }
  const known = new Set(items.map((i) => i.key));
  for (const key of Object.keys(given).sort()) {
    if (!known.has(key)) errors.push({ path: `${path}.${key}`, message: `${key} is not an item of this space's scoring guide` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, total: total / 10 };
}

export interface AdjustmentRange {
  min: number;
  max: number;
}

/**
 * SPEC §7: a city-recommended space among the province's top-ranked: +1..+5; a city-recommended
 * space that is not: −5..−1; any other space: none (0). Top-ranked alone earns nothing — the
 * bonus rewards a city's pick that the ranking confirms.
 */
export function adjustmentRange(space: { recommended: boolean; topRanked: boolean }): AdjustmentRange {
  if (!space.recommended) return { min: 0, max: 0 };
  return space.topRanked ? { min: 1, max: 5 } : { min: -5, max: -1 };
}

export type AdjustmentCheck = { ok: true; adjustment: number } | { ok: false; errors: FieldError[] };

/** A missing adjustment counts as 0, which only a space with no bonus/penalty accepts. */
export function validateAdjustment(value: unknown, space: { recommended: boolean; topRanked: boolean }, path = 'adjustment'): AdjustmentCheck {
  const { min, max } = adjustmentRange(space);
  const what = !space.recommended
    ? 'only a city-recommended space takes a bonus or penalty, so this one takes 0'
    : space.topRanked
      ? 'a city-recommended space among the top-ranked takes a bonus of +1 to +5 points (评审加分)'
      : 'a city-recommended space outside the top-ranked takes a penalty of −5 to −1 points (评审减分)';
  const v = value === undefined || value === null ? 0 : value;
  if (typeof v !== 'number' || !Number.isInteger(v)) return { ok: false, errors: [{ path, message: `${what}; the adjustment must be a whole number, got ${String(value)}` }] };
  if (v < min || v > max) {
    const got = value === undefined || value === null ? 'none was given' : `got ${signed(v)}`;
    return { ok: false, errors: [{ path, message: `${what}; ${got}` }] };
  }
  return { ok: true, adjustment: v };
}

export interface ScoreSheet {
  items: readonly RubricItem[];
  itemScores: Readonly<Record<string, unknown>> | null | undefined;
  adjustment: unknown;
  recommended: boolean;
  topRanked: boolean;
}

export type ScoreSheetCheck = { ok: true; rubricTotal: number; adjustment: number; total: number } | { ok: false; errors: FieldError[] };

/** One expert's sheet: the items and the adjustment checked together, all refusals at once. */
export function checkScoreSheet(sheet: ScoreSheet): ScoreSheetCheck {
  const score = validateScore(sheet.items, sheet.itemScores);
  const adj = validateAdjustment(sheet.adjustment, sheet);
  if (!score.ok || !adj.ok) return { ok: false, errors: [...(score.ok ? [] : score.errors), ...(adj.ok ? [] : adj.errors)] };
  return { ok: true, rubricTotal: score.total, adjustment: adj.adjustment, total: (tenths(score.total) + tenths(adj.adjustment)) / 10 };
}

/**
 * The average of the experts' totals (adjustment included), rounded half up to 2 decimals
 * (取其平均分). Totals are taken to 2 decimals; they have at most one.
 */
export function finalScore(totals: readonly number[]): number {
  if (totals.length === 0) throw new RangeError('a final score needs at least one expert total');
  const sum = totals.reduce((acc, t) => acc + hundredths(t), 0);
  return Math.round(sum / totals.length) / 100 + 0; // + 0: never −0
}

export interface Discrepancy {
  /** max − min of the totals, to 2 decimals. */
  spread: number;
  /** spread > threshold: the province admin may order a fourth review. */
  flagged: boolean;
}

export function discrepancy(totals: readonly number[], threshold: number): Discrepancy {
  if (totals.length === 0) return { spread: 0, flagged: false };
  const hs = totals.map(hundredths);
  const spread = Math.max(...hs) - Math.min(...hs);
  return { spread: spread / 100, flagged: spread > hundredths(threshold) };
}

export interface FourthReviewScore {
  finalScore: number;
  /** Index (into the totals given) of the total left out, or null when all four were averaged. */
  dropped: number | null;
}

/** The final score once a fourth review is in (see the head of this module). */
export function fourthReviewScore(totals: readonly number[]): FourthReviewScore {
  if (totals.length !== 4) throw new RangeError(`a fourth review combines exactly four totals, got ${totals.length}`);
  const hs = totals.map(hundredths);
  const sorted = [...hs].sort((a, b) => a - b);
  // Twice the median keeps the distances whole in hundredths.
  const twiceMedian = sorted[1] + sorted[2];
  const distance = hs.map((h) => Math.abs(2 * h - twiceMedian));
  const far = Math.max(...distance);
  const farthest = distance.flatMap((d, i) => (d === far ? [i] : []));
  if (farthest.length !== 1) return { finalScore: finalScore(totals), dropped: null };
  const dropped = farthest[0];
  return { finalScore: finalScore(totals.filter((_, i) => i !== dropped)), dropped };
}

function tenths(x: number): number {
  return Math.round(x * 10);
}

function hundredths(x: number): number {
  return Math.round(x * 100);
}

function hasAtMostOneDecimal(x: number): boolean {
  return Math.abs(x * 10 - Math.round(x * 10)) < 1e-6;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
