// Names shared by the API, the worker and the tests.
export const TASK_QUEUE = 'learning-space';

export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}

export function entrantWorkflowId(campaignId: string, entrantId: string): string {
  return `entrant-${campaignId}-${entrantId}`;
}

export function nominationWorkflowId(campaignId: string, nominationId: string): string {
  return `expert-nomination-${campaignId}-${nominationId}`;
}

/** 公示: one publication per campaign. */
export function publicationWorkflowId(campaignId: string): string {
  return `publication-${campaignId}`;
}
