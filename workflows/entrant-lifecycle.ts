import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { isEnding, WITHDRAWABLE, type EntrantState } from '../lib/rules/entrant-state';
import { combineScores } from '../lib/rules/review-stage';
import { windowKeyFor, type Actor, type Category, type Schedule } from '../lib/rules/schedule';
import { OrderedWrites } from './ordered-writes';

export interface EntrantInput {
  campaignId: string;
  entrantId: string;
  category: Category;
  /** The registering account, as the first entry of the audit trail. */
  actor: Actor;
  /** How many expert scores make a final score (SPEC §7: three). */
  expertsPerSpace?: number;
}

export interface Decision {
  seq: number;
  at: string;
  from: EntrantState;
  to: EntrantState;
  event: string;
  actor: Actor;
  reason?: string;
}

export interface ExpertScore {
  expertAccountId: string;
  /** Rubric total plus the bonus/penalty (评审加分减分). */
  total: number;
  adjustment: number;
}

export interface EntrantView {
  entrantId: string;
  state: EntrantState;
  scheduleVersion: number;
  registrationClosesAt: string;
  votingClosesAt: string;
  recommended: boolean;
  experts: string[];
  scores: ExpertScore[];
  finalScore?: number;
  award?: string | null;
  decisions: Decision[];
}

export interface DecisionRequest {
  actor: Actor;
  reason?: string;
}
/** Corrections an entrant makes with its resubmission; the recording activity applies them. */
export interface EntrantEdits {
  name?: string;
  subject?: string;
  stage?: 'primary' | 'junior' | 'senior';
  spaceUrl?: string;
  platform?: string;
  /** Sealed by the API before it reaches the workflow. */
  browseCredentials?: string;
}
export interface ResubmitRequest extends DecisionRequest {
  edits?: EntrantEdits;
}
export interface DisqualifyRequest extends DecisionRequest {
  reason: string;
  evidence?: string;
}

// Updates: the caller needs an answer or a refusal (validators refuse invalid moves).
export const approveUpdate = defineUpdate<EntrantView, [DecisionRequest]>('approve');
export const rejectUpdate = defineUpdate<EntrantView, [DecisionRequest]>('reject');
export const resubmitUpdate = defineUpdate<EntrantView, [ResubmitRequest]>('resubmit');
export const withdrawUpdate = defineUpdate<EntrantView, [DecisionRequest]>('withdraw');
export const disqualifyUpdate = defineUpdate<EntrantView, [DisqualifyRequest]>('disqualify');
export const recommendUpdate = defineUpdate<EntrantView, [DecisionRequest]>('recommend'); // 市州推优
export const unrecommendUpdate = defineUpdate<EntrantView, [DecisionRequest]>('unrecommend');

// Signals: fire-and-forget news from the campaign, review and publication stages.
export const scheduleChangedSignal = defineSignal<[Schedule]>('scheduleChanged');
export const selectionSignal = defineSignal<[{ selected: boolean; actor: Actor; reason?: string }]>('selection');
export const assignmentSignal = defineSignal<[{ experts: string[]; seed: string; actor: Actor; reason?: string }]>('assignment');
export const scoreSignal = defineSignal<[ExpertScore & { actor: Actor }]>('score');
export const reviewReopenedSignal = defineSignal<[{ actor: Actor; reason: string }]>('reviewReopened');
export const scoreCorrectedSignal = defineSignal<[{ finalScore: number; actor: Actor; reason: string }]>('scoreCorrected');
export const publishedSignal = defineSignal<[{ actor: Actor }]>('published');
export const finalisedSignal = defineSignal<[{ award: string | null; actor: Actor }]>('finalised');

export const entrantStateQuery = defineQuery<EntrantView>('state');

/** Before the local-activity patch: persistence as regular activities (old histories). */
const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Persistence retries until PostgreSQL answers; recordTransition is idempotent.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Persistence is a short PostgreSQL write: as local activities it costs the server one marker
// event instead of a task round trip, which is most of a registration's load on Temporal.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM: Actor = { accountId: 'system', role: 'system' };

function refuse(kind: 'InvalidTransition' | 'DeadlinePassed' | 'ValidationFailed', message: string): never {
  throw ApplicationFailure.nonRetryable(message, kind);
}

/** The lifecycle's state; the workflow function only wires handlers and waits. */
class Lifecycle {
  state: EntrantState = 'submitted';
  schedule!: Schedule;
  recommended = false;
  experts: string[] = [];
  scores: ExpertScore[] = [];
  finalScore?: number;
  award?: string | null;
  decisions: Decision[] = [];
  private seq = 0;
  private readonly writes = new OrderedWrites();

  constructor(
    readonly input: EntrantInput,
    readonly persistence: Pick<Activities, 'loadSchedule' | 'recordTransition'>,
  ) {}

  get workflowId(): string {
    return `entrant-${this.input.campaignId}-${this.input.entrantId}`;
  }
  get registrationClosesAt(): number {
    return Date.parse(this.schedule.windows[windowKeyFor(this.input.category, 'registration')].closesAt);
  }
  get votingClosesAt(): number {
    return Date.parse(this.schedule.windows[windowKeyFor(this.input.category, 'voting')].closesAt);
  }

  /**
   * Moves synchronously (so the next validator sees the new state), then persists in
   * order; the caller awaits persistence before answering.
   */
  move(to: EntrantState, event: string, actor: Actor, reason?: string, details?: Record<string, unknown>): Promise<void> {
    const from = this.state;
    this.state = to;
    this.seq += 1;
    const decision: Decision = { seq: this.seq, at: new Date().toISOString(), from, to, event, actor, reason };
    this.decisions.push(decision);
    const write = {
      workflowId: this.workflowId,
      entrantId: this.input.entrantId,
      eventKey: `${decision.seq}:${event}`,
      from,
      to,
      actor,
      reason,
      details,
      at: decision.at,
    };
    return this.writes.add(() => this.persistence.recordTransition(write));
  }

  drained(): Promise<void> {
    return this.writes.drained();
  }

  view(): EntrantView {
    return {
      entrantId: this.input.entrantId,
      state: this.state,
      scheduleVersion: this.schedule?.version ?? 0,
      registrationClosesAt: this.schedule ? new Date(this.registrationClosesAt).toISOString() : '',
      votingClosesAt: this.schedule ? new Date(this.votingClosesAt).toISOString() : '',
      recommended: this.recommended,
      experts: this.experts,
      scores: this.scores,
      finalScore: this.finalScore,
      award: this.award,
      decisions: this.decisions,
    };
  }

  requireState(allowed: readonly EntrantState[], what: string): void {
    if (!allowed.includes(this.state)) refuse('InvalidTransition', `cannot ${what}: entrant is ${this.state}`);
  }

  requireRegistrationOpen(what: string): void {
    if (Date.now() >= this.registrationClosesAt) {
      refuse('DeadlinePassed', `cannot ${what}: registration closed at ${new Date(this.registrationClosesAt).toISOString()}`);
    }
  }
}

function requireActor(req: DecisionRequest | undefined): void {
  if (!req?.actor?.accountId || !req.actor.role) refuse('ValidationFailed', 'who decides is required');
}
function requireReason(req: DecisionRequest | undefined): void {
  requireActor(req);
  if (!req?.reason?.trim()) refuse('ValidationFailed', 'a reason is required');
}

/** One entrant's way through the contest (SPEC §3), from registration to award. */
export async function entrantLifecycle(input: EntrantInput): Promise<EntrantView> {
  // Decided before the first command so that replays of older histories take the old path.
  const lc = new Lifecycle(input, patched('local-activity-persistence') ? local : remote);
  const expertsPerSpace = input.expertsPerSpace ?? 3;
  // Score edits after the review completed, the fourth review and the combining rule of
  // lib/rules/review-stage; histories recorded before replay the plain average of three.
  const reviewStage = patched('review-stage');
  // At a deadline the stored schedule has the last word: a change whose broadcast has not
  // reached this entrant yet (an extension just before the close) still counts.
  const recheckDeadlines = patched('deadline-recheck');
  const combine = () => combineScores(lc.scores.map((s) => s.total), expertsPerSpace);

  setHandler(entrantStateQuery, () => lc.view());

  setHandler(
    approveUpdate,
    async (req) => {
      await lc.move('approved', 'approved', req.actor, req.reason);
      return lc.view();
    },
    {
      validator: (req) => {
        requireActor(req);
        lc.requireState(['pending_approval'], 'approve');
        lc.requireRegistrationOpen('approve');
      },
    },
  );

  setHandler(
    rejectUpdate,
    async (req) => {
      await lc.move('rejected', 'rejected', req.actor, req.reason);
      return lc.view();
    },
    {
      validator: (req) => {
        requireReason(req);
        lc.requireState(['pending_approval'], 'reject');
        lc.requireRegistrationOpen('reject');
      },
    },
  );

  setHandler(
    resubmitUpdate,
    async (req) => {
      await lc.move('pending_approval', 'resubmitted', req.actor, req.reason, req.edits && Object.keys(req.edits).length ? { edits: req.edits } : undefined);
      return lc.view();
    },
    {
      validator: (req) => {
        requireActor(req);
        lc.requireState(['rejected'], 'resubmit');
        lc.requireRegistrationOpen('resubmit');
      },
    },
  );

  setHandler(
    withdrawUpdate,
    async (req) => {
      await lc.move('withdrawn', 'withdrawn', req.actor, req.reason);
      return lc.view();
    },
    {
      validator: (req) => {
        requireActor(req);
        lc.requireState(WITHDRAWABLE, 'withdraw');
      },
    },
  );

  setHandler(
    disqualifyUpdate,
    async (req) => {
      await lc.move('disqualified', 'disqualified', req.actor, req.reason, req.evidence ? { evidence: req.evidence } : undefined);
      return lc.view();
    },
    {
      validator: (req) => {
        requireReason(req);
        if (isEnding(lc.state) || lc.state === 'submitted') refuse('InvalidTransition', `cannot disqualify: entrant is ${lc.state}`);
      },
    },
  );

  setHandler(
    recommendUpdate,
    async (req) => {
      lc.recommended = true;
      await lc.move(lc.state, 'recommended', req.actor, req.reason, { recommended: true });
      return lc.view();
    },
    {
      validator: (req) => {
        requireActor(req);
        lc.requireState(['approved', 'awaiting_selection'], 'recommend');
        if (lc.recommended) refuse('InvalidTransition', 'already recommended');
      },
    },
  );

  setHandler(
    unrecommendUpdate,
    async (req) => {
      lc.recommended = false;
      await lc.move(lc.state, 'unrecommended', req.actor, req.reason, { recommended: false });
      return lc.view();
    },
    {
      validator: (req) => {
        requireReason(req);
        lc.requireState(['approved', 'awaiting_selection'], 'withdraw the recommendation');
        if (!lc.recommended) refuse('InvalidTransition', 'not recommended');
      },
    },
  );

  setHandler(scheduleChangedSignal, (schedule) => {
    // Broadcasts may arrive out of order or twice; only a newer schedule counts.
    if (!lc.schedule || schedule.version > lc.schedule.version) lc.schedule = schedule;
  });

  setHandler(selectionSignal, ({ selected, actor, reason }) => {
    if (lc.state !== 'awaiting_selection') return;
    void lc.move(selected ? 'in_review' : 'not_selected', selected ? 'selected' : 'not_selected', actor, reason);
  });

  setHandler(assignmentSignal, ({ experts, seed, actor, reason }) => {
    if (reviewStage && lc.state === 'reviewed' && experts.length > lc.experts.length) {
      // 第四位专家 [ours]: the review reopens for the added expert; the earlier scores stay.
      lc.experts = experts;
      lc.finalScore = undefined;
      void lc.move('in_review', 'fourth_review', actor, reason, { experts, seed });
      return;
    }
    if (lc.state !== 'in_review') return;
    lc.experts = experts;
    lc.scores = lc.scores.filter((s) => experts.includes(s.expertAccountId));
    void lc.move('in_review', 'assigned', actor, reason, { experts, seed });
  });

  setHandler(scoreSignal, ({ actor, ...score }) => {
    if (reviewStage && lc.state === 'reviewed' && lc.experts.includes(score.expertAccountId)) {
      // Edited before the expert's deadline (the API refuses later edits): the final score follows.
      lc.scores = [...lc.scores.filter((s) => s.expertAccountId !== score.expertAccountId), score];
      lc.finalScore = combine().finalScore;
      void lc.move('reviewed', 'score_edited', actor, undefined, { ...score, finalScore: lc.finalScore });
      return;
    }
    if (lc.state !== 'in_review' || !lc.experts.includes(score.expertAccountId)) return;
    // An expert may edit its score until the deadline: the latest one counts.
    lc.scores = [...lc.scores.filter((s) => s.expertAccountId !== score.expertAccountId), score];
    void lc.move('in_review', 'scored', actor, undefined, { ...score });
  });

  setHandler(reviewReopenedSignal, ({ actor, reason }) => {
    if (!['reviewed', 'published'].includes(lc.state)) return;
    lc.experts = [];
    lc.scores = [];
    lc.finalScore = undefined;
    void lc.move('in_review', 'review_reopened', actor, reason);
  });

  setHandler(scoreCorrectedSignal, ({ finalScore, actor, reason }) => {
    if (!['reviewed', 'published'].includes(lc.state)) return;
    const before = lc.finalScore;
    lc.finalScore = finalScore;
    void lc.move(lc.state, 'score_corrected', actor, reason, { before, finalScore });
  });

  setHandler(publishedSignal, ({ actor }) => {
    if (lc.state !== 'reviewed') return;
    void lc.move('published', 'published', actor);
  });

  setHandler(finalisedSignal, ({ award, actor }) => {
    if (lc.state !== 'published') return;
    lc.award = award;
    void lc.move(award ? 'awarded' : 'not_awarded', 'finalised', actor, undefined, { award });
  });

  // The effective schedule at start; later changes arrive by scheduleChanged.
  const loaded = await lc.persistence.loadSchedule({ campaignId: input.campaignId });
  if (!lc.schedule || loaded.version > lc.schedule.version) lc.schedule = loaded;
  await lc.move('pending_approval', 'registered', input.actor);

  /** Waits for `done` or the (movable) deadline; false when the deadline came first. */
  const until = async (deadline: () => number, done: () => boolean): Promise<boolean> => {
    let checked = NaN; // the deadline the stored schedule was last read for: once per deadline
    for (;;) {
      if (done()) return true;
      const remaining = deadline() - Date.now();
      if (remaining <= 0) {
        if (!recheckDeadlines || checked === deadline()) return false;
        checked = deadline();
        const stored = await lc.persistence.loadSchedule({ campaignId: input.campaignId });
        if (stored.version > lc.schedule.version) lc.schedule = stored;
        continue;
      }
      const version = lc.schedule.version;
      await condition(() => done() || lc.schedule.version !== version, remaining);
    }
  };

  // 资格审核: approved before registration closes, or expired.
  const approvedInTime = await until(
    () => lc.registrationClosesAt,
    () => !['pending_approval', 'rejected'].includes(lc.state),
  );
  if (!approvedInTime) {
    const reason = lc.state === 'rejected' ? 'rejected and not resubmitted before registration closed' : 'not approved before registration closed';
    await lc.move('expired', 'expired', SYSTEM, reason);
  }

  // 投票: approved entrants receive votes until their voting window closes.
  if (lc.state === 'approved') {
    const left = await until(() => lc.votingClosesAt, () => lc.state !== 'approved');
    if (!left) await lc.move('awaiting_selection', 'voting_closed', SYSTEM);
  }

  // Selection, review, publication and award are driven by messages from later stages.
  for (;;) {
    await condition(() => isEnding(lc.state) || lc.state === 'in_review');
    if (isEnding(lc.state)) break;
    // A fourth review (more experts than expertsPerSpace) waits for every expert's score.
    const needed = reviewStage ? () => Math.max(expertsPerSpace, lc.experts.length) : () => expertsPerSpace;
    await condition(() => lc.state !== 'in_review' || (lc.experts.length > 0 && lc.scores.length >= needed()));
    if (lc.state !== 'in_review') continue;
    if (reviewStage) {
      const { finalScore, dropped } = combine();
      lc.finalScore = finalScore;
      const droppedExpert = dropped === null ? undefined : lc.scores[dropped].expertAccountId;
      await lc.move('reviewed', 'review_complete', SYSTEM, undefined, { finalScore, scores: lc.scores, ...(droppedExpert ? { droppedExpert } : {}) });
      await condition(() => lc.state !== 'reviewed' && lc.state !== 'published');
      continue;
    }
    // 取其平均分作为最终成绩: the average of the experts' totals, adjustments included.
    const sum = lc.scores.reduce((acc, s) => acc + s.total, 0);
    lc.finalScore = Math.round((sum / lc.scores.length) * 100) / 100;
    await lc.move('reviewed', 'review_complete', SYSTEM, undefined, { finalScore: lc.finalScore, scores: lc.scores });
    // Published results may be reopened by an upheld objection (back to in_review).
    await condition(() => lc.state !== 'reviewed' && lc.state !== 'published');
  }
  await lc.drained();
  return lc.view();
}
