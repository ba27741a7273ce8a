// Public voting limits (公众投票, SPEC §4): who may vote for an entrant, and how often.
//
// The notice's rule is once per IP address per entrant per Asia/Shanghai day
// (每个IP地址每天只能为同一名教师、学生和相关教育工作者投票1次); [ours] also once per account.
// A campaign chooses its policy (config.votePolicy):
//   ip_and_account (default) — both limits. Hardest to brush, but everyone behind one public
//     IP (a school, a dormitory, a carrier's NAT) shares a single vote per entrant per day.
//   ip — the notice's rule alone. One account can vote from many networks (home, mobile).
//   account — once per account per day; a whole school on one IP can vote. Brushing then
//     needs many accounts, which the detector's fresh-account and cohort rules watch for.
// The database enforces the limits (partial unique indexes on vote, chosen by the policy the
// vote was cast under); these functions only name them and explain a refusal to a person.
import type { EntrantState } from './entrant-state';
import { phaseOf, type Window } from './schedule';

export const VOTE_POLICIES = ['ip_and_account', 'ip', 'account'] as const;
export type VotePolicy = (typeof VOTE_POLICIES)[number];

export const VOTE_REFUSALS = ['duplicate_ip', 'duplicate_account', 'not_open', 'closed', 'not_approved'] as const;
export type VoteRefusal = (typeof VOTE_REFUSALS)[number];

export function limitsOf(policy: VotePolicy): { perIp: boolean; perAccount: boolean } {
  return { perIp: policy !== 'account', perAccount: policy !== 'ip' };
}

/**
 * Why an entrant cannot receive a vote at `now`, before any uniqueness is tried; undefined when
 * it can. The window comes first: after the deadline the answer is "closed" whatever the state
 * (the lifecycle moves entrants on at the deadline, a moment later).
 */
export function voteWindowRefusal(window: Window, state: EntrantState, now: number): VoteRefusal | undefined {
  const phase = phaseOf(window, now);
  if (phase === 'upcoming') return 'not_open';
  if (phase === 'closed') return 'closed';
  if (state !== 'approved') return 'not_approved';
  return undefined;
}

/** A refusal in words a voter understands (English, with the notice's Chinese). */
export function refusalMessage(reason: VoteRefusal, ctx: { entrantName: string; window?: Window; state?: EntrantState }): string {
  switch (reason) {
    case 'duplicate_ip':
      return `${ctx.entrantName} has already received a vote from your network (IP address) today. Each IP address may vote once a day for the same entrant (每个IP地址每天只能投票1次); you can vote again after 00:00 Beijing time.`;
    case 'duplicate_account':
      return `You have already voted for ${ctx.entrantName} today (每人每天只能为同一参赛者投票1次); you can vote again after 00:00 Beijing time.`;
    case 'not_open':
      return `Voting for ${ctx.entrantName} has not opened yet${ctx.window ? `; it opens at ${ctx.window.opensAt}` : ''}.`;
    case 'closed':
      return `Voting has closed${ctx.window ? ` (deadline ${ctx.window.closesAt})` : ''}; votes after the deadline do not count (投票时间截止后投票数不计入成绩).`;
    case 'not_approved':
      return `${ctx.entrantName} cannot receive votes: only approved entrants inside their voting window can (current state: ${ctx.state ?? 'unknown'}).`;
  }
}

/** The socket's address as PostgreSQL's inet reads it: an IPv4-mapped IPv6 address becomes IPv4. */
export function normaliseIp(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const address = raw.replace(/%.*$/, ''); // an IPv6 zone index names a local interface, not a client
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}
