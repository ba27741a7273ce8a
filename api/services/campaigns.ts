import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { campaignWorkflowId, TASK_QUEUE } from '../../lib/ids';
import { nextEdge, phaseOf, WINDOW_KEYS, type Schedule, type Windows } from '../../lib/rules/schedule';
import { campaign } from '../../workflows';

/** Starts the workflow that owns a campaign's clock; starting it twice is harmless. */
export async function startCampaignWorkflow(temporal: Client, campaignId: string, windows: Windows): Promise<void> {
  try {
    await temporal.workflow.start(campaign, { taskQueue: TASK_QUEUE, workflowId: campaignWorkflowId(campaignId), args: [{ campaignId, windows }] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export const WINDOW_LABELS_ZH: Record<string, string> = {
  'teacher.registration': '教师报名',
  'student.registration': '学生报名',
  'teacher.voting': '教师投票',
  'student.voting': '学生投票',
  nomination: '市州推荐评审专家',
  recommendation: '市州推优',
  review: '专家评审',
};

/** The schedule as people read it: each window's phase now, and the next deadline. */
export function describeSchedule(schedule: Schedule, now: number) {
  const next = nextEdge(schedule.windows, now);
  return {
    version: schedule.version,
    now: new Date(now).toISOString(),
    windows: WINDOW_KEYS.map((key) => ({ key, label: WINDOW_LABELS_ZH[key], ...schedule.windows[key], phase: phaseOf(schedule.windows[key], now) })),
    next: next ? { window: next.window, label: WINDOW_LABELS_ZH[next.window], edge: next.edge, at: new Date(next.at).toISOString() } : null,
  };
}
