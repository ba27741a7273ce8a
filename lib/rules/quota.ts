// 市州推优名额 and 市州推荐省级评审专家名额 (SPEC §5–§6): how much of a city's quota is used,
// the stage mix of its picks (尽量兼顾各学段) and which stages it has left out. Pure.
import { STAGES, STAGE_LABELS_ZH, type EntrantState, type SchoolStage } from './entrant-state';
import type { Category } from './schedule';

/** Recommendation quotas come in two groups; education workers count as teachers. */
export type CategoryGroup = 'teacher' | 'student';
export const CATEGORY_GROUPS: readonly CategoryGroup[] = ['teacher', 'student'];

export function categoryGroupOf(category: Category): CategoryGroup {
  return category === 'student' ? 'student' : 'teacher';
}

export function categoriesOf(group: CategoryGroup): Category[] {
  return group === 'student' ? ['student'] : ['teacher', 'education_worker'];
}

export interface CityQuota {
  teacher: number;
  student: number;
  expert: number;
}

/** A city the campaign gives no quota has none (0), rather than an unlimited one. */
export function quotaLimit(quotas: Record<string, CityQuota>, cityCode: string, kind: keyof CityQuota): number {
  return quotas[cityCode]?.[kind] ?? 0;
}

export interface QuotaUse {
  limit: number;
  used: number;
  remaining: number;
}

export function quotaUse(limit: number, used: number): QuotaUse {
  return { limit, used, remaining: Math.max(0, limit - used) };
}

export function hasRoom(use: QuotaUse): boolean {
  return use.used < use.limit;
}

/** Entrants a city may recommend: approved, before or after voting closes (not yet selected). */
export const RECOMMENDABLE_STATES: readonly EntrantState[] = ['approved', 'awaiting_selection'];

/**
 * A recommendation of an entrant that has since withdrawn or been disqualified no longer
 * holds a place: the city may recommend another while the window is open.
 */
export const STATES_RELEASING_RECOMMENDATION: readonly EntrantState[] = ['withdrawn', 'disqualified'];

export type StageMix = Record<SchoolStage, number>;

export function stageMix(stages: readonly string[]): StageMix {
  const mix: StageMix = { primary: 0, junior: 0, senior: 0 };
  for (const s of stages) if ((STAGES as readonly string[]).includes(s)) mix[s as SchoolStage] += 1;
  return mix;
}

export interface StageWarning {
  stage: SchoolStage;
  label: string;
  message: string;
}

/**
 * 尽量兼顾各学段: a stage in which the city has recommendable entrants but has recommended
 * none. A stage without entrants is no omission, so it is not warned about.
 */
export function stageWarnings(mix: StageMix, stagesWithEntrants: readonly string[]): StageWarning[] {
  const present = new Set(stagesWithEntrants);
  return STAGES.filter((s) => present.has(s) && mix[s] === 0).map((s) => ({
    stage: s,
    label: STAGE_LABELS_ZH[s],
    message: `尚未推荐${STAGE_LABELS_ZH[s]}学段：本市州有审核通过的${STAGE_LABELS_ZH[s]}参赛者`,
  }));
}

/** 市州推荐省级评审专家: a nominee's way (SPEC §6). */
export const NOMINATION_STATES = ['nominated', 'selected', 'rejected', 'invited', 'active', 'declined', 'expired'] as const;
export type NominationState = (typeof NOMINATION_STATES)[number];
/** Rejected, declined or expired nominations free their place for the rest of the window. */
export const NOMINATION_HOLDS_SLOT: readonly NominationState[] = ['nominated', 'selected', 'invited', 'active'];
export function nominationHoldsSlot(state: NominationState): boolean {
  return NOMINATION_HOLDS_SLOT.includes(state);
}

export const NOMINATION_LABELS_ZH: Record<NominationState, string> = {
  nominated: '已推荐',
  selected: '已遴选',
  rejected: '未遴选',
  invited: '已邀请',
  active: '已激活',
  declined: '已谢绝',
  expired: '邀请已过期',
};

/** The nomination criteria of SPEC §6 (notice §三(二)): a statement of the nominee against each. */
export const EXPERT_CRITERIA = {
  dedication: '忠诚党的教育事业，有良好的敬业精神和职业道德',
  seniorTitle: '拥有高级职称，具有较高的学术水平',
  informatisationResearch: '对教育信息化有较深的研究',
  teachingPractice: '具有较丰富的信息化教学实践经验',
  fitness: '身体健康，能胜任评审工作',
} as const;
export type ExpertCriterion = keyof typeof EXPERT_CRITERIA;
export const EXPERT_CRITERIA_KEYS = Object.keys(EXPERT_CRITERIA) as ExpertCriterion[];
