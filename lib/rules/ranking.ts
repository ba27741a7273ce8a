// Rankings (排行, SPEC §4/§11): score = votes + w × accepted boosts, w = ranking.boostWeight of
// the campaign config. Pure, so the API, the review selection and the tests share one rule.
//
// Tie-break [ours], applied in this order after the score (all deterministic, no randomness):
//   1. more votes first — at equal score, real voters outweigh boosts;
//   2. earlier registered_at first — who registered earlier (先报名者优先);
//   3. entrant id ascending — a stable last resort, so pages never overlap or skip.
import type { EntrantState } from './entrant-state';

export function rankingScore(votes: number, acceptedBoosts: number, boostWeight: number): number {
  return votes + boostWeight * acceptedBoosts;
}

export interface RankedEntry {
  id: string;
  votes: number;
  acceptedBoosts: number;
  registeredAt: string | Date;
}

/** Comparator of the documented order: score desc, votes desc, registered_at asc, id asc. */
export function compareRanking(boostWeight: number) {
  return (a: RankedEntry, b: RankedEntry): number => {
    const sa = rankingScore(a.votes, a.acceptedBoosts, boostWeight);
    const sb = rankingScore(b.votes, b.acceptedBoosts, boostWeight);
    if (sa !== sb) return sb - sa;
    if (a.votes !== b.votes) return b.votes - a.votes;
    const ra = new Date(a.registeredAt).getTime();
    const rb = new Date(b.registeredAt).getTime();
    if (ra !== rb) return ra - rb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/**
 * The same order in SQL, for a query whose entrant is aliased `e` and whose tally (left joined,
 * may be null) is aliased `t`; `?` is the boost weight.
 */
export const RANKING_SCORE_SQL = `(coalesce(t.votes, 0) + ?::numeric * coalesce(t.accepted_boosts, 0))`;
export const RANKING_TIE_BREAK_SQL = `coalesce(t.votes, 0) desc, e.registered_at asc, e.id asc`;

/**
 * States that appear in public rankings: approved and everything after it, except the ways out
 * (退出, 取消资格) — a disqualified entrant's votes no longer rank.
 */
export const RANKED_STATES: readonly EntrantState[] = [
  'approved',
  'awaiting_selection',
  'in_review',
  'reviewed',
  'published',
  'awarded',
  'not_awarded',
  'not_selected',
];

/** The states the review selection draws its top K from (SPEC §6). */
export const SELECTABLE_STATES: readonly EntrantState[] = ['approved', 'awaiting_selection'];
