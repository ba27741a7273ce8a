import { allHandlersFinished, ApplicationFailure, condition, defineQuery, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NominationState } from '../lib/rules/quota';
import type { Actor } from '../lib/rules/schedule';
import { DAY_MS } from '../lib/time';
import { OrderedWrites } from './ordered-writes';

// 市州推荐省级评审专家 (SPEC §6): one workflow per nominee,
// nominated → selected | rejected → invited → active | declined | expired.

export interface NominationInput {
  campaignId: string;
  nominationId: string;
  cityId: number;
  name: string;
  email: string;
  /** The city admin who nominated, as the first entry of the trail. */
  actor: Actor;
  /** How long the activation link lives (campaign config review.invitationDays). */
  invitationDays?: number;
}

export interface NominationDecision {
  seq: number;
  at: string;
  from: NominationState;
  to: NominationState;
  event: string;
  actor: Actor;
  reason?: string;
}

export interface NominationView {
  nominationId: string;
  state: NominationState;
  invitationExpiresAt?: string;
  accountId?: string;
  decisions: NominationDecision[];
}

export interface NomineeDecision {
  actor: Actor;
  reason?: string;
}
/** Sent by the API once the token holder's account exists (created disabled until this lands). */
export interface ExpertActivation {
  accountId: string;
  name?: string;
}
export interface InvitationDecline {
  reason?: string;
}

export const selectNomineeUpdate = defineUpdate<NominationView, [NomineeDecision]>('select');
export const rejectNomineeUpdate = defineUpdate<NominationView, [NomineeDecision]>('reject');
export const activateExpertUpdate = defineUpdate<NominationView, [ExpertActivation]>('activate');
export const declineInvitationUpdate = defineUpdate<NominationView, [InvitationDecline]>('decline');
export const nominationStateQuery = defineQuery<NominationView>('state');

const { recordNominationTransition, issueExpertInvitation } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Both are idempotent by workflow id + event; they retry until PostgreSQL and Redis answer.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM: Actor = { accountId: 'system', role: 'system' };
const FINAL: readonly NominationState[] = ['rejected', 'active', 'declined', 'expired'];

function refuse(kind: 'InvalidTransition' | 'DeadlinePassed' | 'ValidationFailed', message: string): never {
  throw ApplicationFailure.nonRetryable(message, kind);
}

class Nomination {
  state: NominationState = 'nominated';
  expiresAt?: number;
  accountId?: string;
  decisions: NominationDecision[] = [];
  private seq = 0;
  private readonly writes = new OrderedWrites();

  constructor(readonly input: NominationInput) {}

  /** Moves at once (the next validator sees it), persists in order; callers await the write. */
  move(to: NominationState, event: string, actor: Actor, reason?: string, details?: Record<string, unknown>): Promise<void> {
    const from = this.state;
    this.state = to;
    this.seq += 1;
    const decision: NominationDecision = { seq: this.seq, at: new Date().toISOString(), from, to, event, actor, reason };
    this.decisions.push(decision);
    const write = {
      workflowId: workflowInfo().workflowId,
      nominationId: this.input.nominationId,
      eventKey: `${decision.seq}:${event}`,
      from,
      to,
      actor,
      reason,
      details,
      at: decision.at,
    };
    return this.writes.add(() => recordNominationTransition(write));
  }

  drained(): Promise<void> {
    return this.writes.drained();
  }

  view(): NominationView {
    return {
      nominationId: this.input.nominationId,
      state: this.state,
      invitationExpiresAt: this.expiresAt === undefined ? undefined : new Date(this.expiresAt).toISOString(),
      accountId: this.accountId,
      decisions: this.decisions,
    };
  }

  require(state: NominationState, what: string): void {
    if (this.state !== state) refuse('InvalidTransition', `cannot ${what}: the nomination is ${this.state}`);
  }

  requireInvitationOpen(what: string): void {
    this.require('invited', what);
    if (this.expiresAt !== undefined && Date.now() >= this.expiresAt) {
      refuse('DeadlinePassed', `cannot ${what}: the invitation expired at ${new Date(this.expiresAt).toISOString()}`);
    }
  }
}

function requireActor(req: NomineeDecision | undefined, reasonRequired: boolean): void {
  if (!req?.actor?.accountId || !req.actor.role) refuse('ValidationFailed', 'who decides is required');
  if (reasonRequired && !req.reason?.trim()) refuse('ValidationFailed', 'a reason is required');
}

/** One nominee's way from the city's nomination to an active expert account (or not). */
export async function expertNomination(input: NominationInput): Promise<NominationView> {
  const n = new Nomination(input);
  const invitationMs = (input.invitationDays ?? 7) * DAY_MS;
  let invitationOut = false;

  setHandler(nominationStateQuery, () => n.view());

  setHandler(
    selectNomineeUpdate,
    async (req) => {
      await n.move('selected', 'selected', req.actor, req.reason);
      // Answer once the invitation is recorded and mailed, so the caller sees its expiry.
      await condition(() => n.state !== 'selected' && invitationOut);
      return n.view();
    },
    {
      validator: (req) => {
        requireActor(req, false);
        n.require('nominated', 'select');
      },
    },
  );

  setHandler(
    rejectNomineeUpdate,
    async (req) => {
      await n.move('rejected', 'rejected', req.actor, req.reason);
      return n.view();
    },
    {
      validator: (req) => {
        requireActor(req, true);
        n.require('nominated', 'reject');
      },
    },
  );

  setHandler(
    activateExpertUpdate,
    async (req) => {
      n.accountId = req.accountId;
      await n.move('active', 'activated', { accountId: req.accountId, role: 'expert', name: req.name ?? input.name }, undefined, { accountId: req.accountId });
      return n.view();
    },
    {
      validator: (req) => {
        if (!req?.accountId) refuse('ValidationFailed', 'the activated account is required');
        n.requireInvitationOpen('activate');
      },
    },
  );

  setHandler(
    declineInvitationUpdate,
    async (req) => {
      await n.move('declined', 'declined', { accountId: `nominee:${input.nominationId}`, role: 'nominee', name: input.name }, req?.reason);
      return n.view();
    },
    { validator: (_req) => n.requireInvitationOpen('decline') },
  );

  await n.move('nominated', 'nominated', input.actor);

  // The province decides whenever it is ready; nothing expires before the invitation.
  await condition(() => n.state !== 'nominated');

  if (n.state === 'selected') {
    await n.drained();
    // The expiry is fixed here, in workflow time, so the link, the mail and the timer agree.
    n.expiresAt = Date.now() + invitationMs;
    const expiresAt = new Date(n.expiresAt).toISOString();
    // Recorded as invited before a link exists, so no link ever meets a nomination not yet invited.
    await n.move('invited', 'invited', SYSTEM, undefined, { expiresAt });
    await issueExpertInvitation({ workflowId: workflowInfo().workflowId, nominationId: input.nominationId, eventKey: 'invited', expiresAt });
    invitationOut = true;
    const answered = await condition(() => n.state !== 'invited', n.expiresAt - Date.now());
    if (!answered) await n.move('expired', 'expired', SYSTEM, 'the invitation was not accepted in time', { expiresAt });
  }

  await condition(() => FINAL.includes(n.state));
  await n.drained();
  await condition(allHandlersFinished);
  return n.view();
}
