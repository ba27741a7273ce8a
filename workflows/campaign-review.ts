// The review stage of the campaign workflow (专家评审, SPEC §7) — not a workflow of its own:
// campaign.ts owns one of these behind patched('review-stage') and runs its due steps when the
// clock wakes. Draws get their seed here (uuid4 is deterministic in a workflow), so the seed of
// every draw sits in the campaign's history as the activity's input.
import { ApplicationFailure, defineQuery, defineUpdate, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AssignmentRunResult, FourthReviewResult, ReplacementResult } from '../activities/review';
import {
  afterStep,
  dueReviewSteps,
  initialReviewProgress,
  nextReviewWake,
  withDeadline,
  type ReviewProgress,
  type ReviewStep,
} from '../lib/rules/review-stage';
import type { Actor, Windows } from '../lib/rules/schedule';

export interface RunAssignmentRequest {
  actor: Actor;
  reason: string;
}

export interface ReplaceExpertRequest {
  entrantId: string;
  expertAccountId: string;
  kind: 'declined' | 'conflict';
  reason: string;
  actor: Actor;
}

export interface FourthReviewRequest {
  flagId: string;
  actor: Actor;
  reason: string;
}

/** The province admin re-runs the draw after fixing what made it infeasible. */
export const runAssignmentUpdate = defineUpdate<AssignmentRunResult, [RunAssignmentRequest]>('runAssignment');
/** An expert declines a space or declares a conflict; a new draw takes over. */
export const replaceExpertUpdate = defineUpdate<ReplacementResult, [ReplaceExpertRequest]>('replaceExpert');
/** The province admin orders a fourth review of a space whose scores differ too much. */
export const orderFourthReviewUpdate = defineUpdate<FourthReviewResult, [FourthReviewRequest]>('orderFourthReview');
export const reviewProgressQuery = defineQuery<ReviewProgress | null>('reviewProgress');

const stage = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

// A caller waits on these (an expert's click, an admin's order): a few quick attempts, then a refusal.
const onRequest = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

const SYSTEM: Actor = { accountId: 'system', role: 'system', name: '评审系统' };

function requireActorAndReason(req: { actor?: Actor; reason?: string } | undefined): void {
  if (!req?.actor?.accountId || !req.actor.role) throw ApplicationFailure.nonRetryable('who asks is required', 'ValidationFailed');
  if (!req.reason?.trim()) throw ApplicationFailure.nonRetryable('a reason is required', 'ValidationFailed');
}

export class CampaignReview {
  progress: ReviewProgress;
  /** Bumped when a request changed when the clock must wake next. */
  changes = 0;
  // Draws run one at a time, in the order they were asked for (the clock's steps included).
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    readonly campaignId: string,
    carried: ReviewProgress | undefined,
    private readonly windows: () => Windows,
  ) {
    this.progress = carried ?? initialReviewProgress();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.catch(() => undefined);
    return next;
  }

  private noteDeadline(deadline: number | null): void {
    const before = this.progress;
    this.progress = withDeadline(this.progress, deadline);
    if (this.progress !== before) this.changes += 1;
  }

  install(): void {
    setHandler(reviewProgressQuery, () => this.progress);

    setHandler(
      runAssignmentUpdate,
      (req) =>
        this.serial(async () => {
          const result = await stage.assignReviews({ campaignId: this.campaignId, seed: uuid4(), at: Date.now(), actor: req.actor, reason: req.reason });
          if (!this.progress.assignmentTried) {
            this.progress = afterStep(this.progress, { kind: 'assign' });
            this.changes += 1;
          }
          if (result.state === 'done') this.noteDeadline(result.deadline);
          return result;
        }),
      {
        validator: (req) => {
          requireActorAndReason(req);
          if (!this.progress.selected.teacher || !this.progress.selected.student) {
            throw ApplicationFailure.nonRetryable('the selection for review has not run yet: it runs when voting closes', 'InvalidTransition');
          }
        },
      },
    );

    setHandler(
      replaceExpertUpdate,
      (req) =>
        this.serial(async () => {
          const result = await onRequest.replaceReviewExpert({ campaignId: this.campaignId, ...req, seed: uuid4(), at: Date.now() });
          this.noteDeadline(result.deadline);
          return result;
        }),
      {
        validator: (req) => {
          requireActorAndReason(req);
          if (!req.entrantId || !req.expertAccountId || !['declined', 'conflict'].includes(req.kind)) {
            throw ApplicationFailure.nonRetryable('entrantId, expertAccountId and kind (declined or conflict) are required', 'ValidationFailed');
          }
        },
      },
    );

    setHandler(
      orderFourthReviewUpdate,
      (req) =>
        this.serial(async () => {
          const result = await onRequest.orderFourthReview({ campaignId: this.campaignId, ...req, seed: uuid4(), at: Date.now() });
          if (result.status === 'refused') throw ApplicationFailure.nonRetryable(result.message ?? 'refused', 'Conflict');
          if (result.status === 'ordered') this.noteDeadline(result.deadline);
          return result;
        }),
      {
        validator: (req) => {
          requireActorAndReason(req);
          if (!req.flagId) throw ApplicationFailure.nonRetryable('flagId is required', 'ValidationFailed');
        },
      },
    );
  }

  wakeAt(now: number): number | undefined {
    return nextReviewWake(this.windows(), this.progress, now);
  }

  /** Runs every step due now, in order; the clock calls this each time it wakes. */
  async runDue(): Promise<void> {
    for (const step of dueReviewSteps(this.windows(), this.progress, Date.now())) {
      await this.serial(() => this.run(step));
    }
  }

  private async run(step: ReviewStep): Promise<void> {
    const at = Date.now();
    switch (step.kind) {
      case 'select':
        if (this.progress.selected[step.group]) return;
        await stage.selectForReview({ campaignId: this.campaignId, group: step.group, at });
        this.progress = afterStep(this.progress, step);
        return;
      case 'assign': {
        if (this.progress.assignmentTried) return;
        await stage.assignReviews({ campaignId: this.campaignId, seed: uuid4(), at, actor: SYSTEM, reason: '评审开始，随机分配评审专家' });
        this.progress = afterStep(this.progress, step);
        return;
      }
      case 'remind':
        await stage.sendReviewReminders({ campaignId: this.campaignId, closesAt: step.closesAt });
        this.progress = afterStep(this.progress, step);
        return;
      case 'sweep': {
        const result = await stage.replaceLateExperts({ campaignId: this.campaignId, seed: uuid4(), at });
        this.progress = afterStep(this.progress, step, { nextAt: result.nextAt });
        return;
      }
    }
  }

  /** Continue-as-new waits for requests in flight. */
  idle(): Promise<unknown> {
    return this.running;
  }
}
