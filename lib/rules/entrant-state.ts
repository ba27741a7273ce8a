// The states of an entrant's lifecycle (SPEC §3) and which moves are allowed.
export const ENTRANT_STATES = [
  'submitted',
  'pending_approval', // 待审核
  'rejected', // 审核未通过, correctable until registration closes
  'approved', // 审核通过, in its voting window
  'awaiting_selection', // voting closed, waiting for the review selection
  'in_review', // 专家评审
  'reviewed',
  'published', // 公示
  'awarded',
  'not_awarded',
  'expired', // not approved (pending or rejected) when registration closed
  'not_selected',
  'withdrawn',
  'disqualified',
] as const;
export type EntrantState = (typeof ENTRANT_STATES)[number];

export const ENDING_STATES: readonly EntrantState[] = ['awarded', 'not_awarded', 'expired', 'not_selected', 'withdrawn', 'disqualified'];

export function isEnding(state: EntrantState): boolean {
  return ENDING_STATES.includes(state);
}

/** An entrant may withdraw itself until review starts (once its registration is recorded). */
export const WITHDRAWABLE: readonly EntrantState[] = ['pending_approval', 'rejected', 'approved', 'awaiting_selection'];

export const STATE_LABELS_ZH: Record<EntrantState, string> = {
  submitted: '已提交',
  pending_approval: '待审核',
  rejected: '审核未通过',
  approved: '审核通过',
  awaiting_selection: '待遴选',
  in_review: '专家评审中',
  reviewed: '评审完成',
  published: '公示中',
  awarded: '获奖',
  not_awarded: '未获奖',
  expired: '逾期未通过审核',
  not_selected: '未入选评审',
  withdrawn: '已退出',
  disqualified: '取消资格',
};

export const STAGES = ['primary', 'junior', 'senior'] as const;
export type SchoolStage = (typeof STAGES)[number];
export const STAGE_LABELS_ZH: Record<SchoolStage, string> = { primary: '小学', junior: '初中', senior: '高中' };
