// Vote-brushing detection (刷票, SPEC §4) [ours]: patterns in one entrant's recent votes that
// people rarely make and scripts often do. Pure: the detector job loads the votes, these rules
// decide, and every flag carries the numbers that made it so a province admin can judge it.
//
//   ip_subnet         many votes from one /24 (IPv6: /64) within a short window — a school on one
//                     public IP also looks like this, which is why a flag is reviewed by a person;
//   account_cohort    many voters whose accounts were created within minutes of one another;
//   fresh_accounts    a burst of votes from accounts created shortly before they voted;
//   regular_intervals votes at machine rhythm: a run of inter-arrival times with a tiny
//                     coefficient of variation (people arrive roughly like a Poisson process, CV ≈ 1);
//   repeated_attempts many refused attempts (already voted today, by IP or account) in one burst:
//                     a person gives up after a refusal or two, a script keeps hammering.
// Counting rules look at the busiest `burstMinutes` window of the look-back and demand both an
// absolute count and a share of the entrant's votes in that window, so a popular entrant with a
// crowd of organic voters is not flagged for a handful of same-network votes.

export interface BrushingThresholds {
  lookbackMinutes: number;
  burstMinutes: number;
  minVotes: number;
  subnetVotes: number;
  subnetShare: number;
  cohortMinutes: number;
  cohortVotes: number;
  cohortShare: number;
  freshAccountHours: number;
  freshVotes: number;
  freshShare: number;
  regularRun: number;
  regularMaxCv: number;
  /** Refused duplicate attempts on one entrant within a burst that make a repeated_attempts flag. */
  refusedAttempts: number;
}

export const DEFAULT_BRUSHING: BrushingThresholds = {
  lookbackMinutes: 60,
  burstMinutes: 10,
  minVotes: 20,
  subnetVotes: 50,
  subnetShare: 0.5,
  cohortMinutes: 10,
  cohortVotes: 30,
  cohortShare: 0.5,
  freshAccountHours: 24,
  freshVotes: 30,
  freshShare: 0.6,
  regularRun: 20,
  regularMaxCv: 0.15,
  refusedAttempts: 30,
};

export const BRUSHING_KINDS = ['ip_subnet', 'account_cohort', 'fresh_accounts', 'regular_intervals', 'repeated_attempts'] as const;
export type BrushingKind = (typeof BRUSHING_KINDS)[number];

export interface VoteSample {
  /** ms since the epoch */
  at: number;
  ip: string;
  accountId: string;
  /** ms since the epoch */
  accountCreatedAt: number;
}

/** A refused vote attempt (refused_vote): only duplicates count here, not late or closed ones. */
export interface AttemptSample {
  /** ms since the epoch */
  at: number;
  ip: string;
  accountId: string;
  reason: string;
}

export const DUPLICATE_REFUSALS = ['duplicate_ip', 'duplicate_account'] as const;

export interface BrushingFinding {
  kind: BrushingKind;
  windowStart: number;
  windowEnd: number;
  evidence: Record<string, unknown>;
}

const MINUTE = 60_000;
const SAMPLE = 10;
const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The /24 of an IPv4 address or the /64 of an IPv6 one, as CIDR text. */
export function subnetOf(ip: string): string {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The busiest window of `spanMs` over sorted times: [start index, end index] inclusive and its size. */
function busiest(times: number[], spanMs: number): { from: number; to: number; count: number } {
  let best = { from: 0, to: -1, count: 0 };
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= spanMs) lo++;
    if (hi - lo + 1 > best.count) best = { from: lo, to: hi, count: hi - lo + 1 };
  }
  return best;
}

/** How many of the sorted `all` fall in [from, to]. */
function countBetween(all: number[], from: number, to: number): number {
  let n = 0;
  for (const t of all) if (t >= from && t <= to) n++;
  return n;
}

function topCounts(values: string[], limit = SAMPLE): { value: string; votes: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([value, votes]) => ({ value, votes }));
}

/** Findings for one entrant's votes of the look-back (any order). */
export function detectBrushing(votes: readonly VoteSample[], t: BrushingThresholds): BrushingFinding[] {
  if (votes.length < t.minVotes) return [];
  const sorted = [...votes].sort((a, b) => a.at - b.at || (a.accountId < b.accountId ? -1 : 1));
  const allTimes = sorted.map((v) => v.at);
  const burstMs = t.burstMinutes * MINUTE;
  const findings: BrushingFinding[] = [];

  // ip_subnet: the subnet with the busiest burst.
  const bySubnet = new Map<string, VoteSample[]>();
  for (const v of sorted) {
    const key = subnetOf(v.ip);
    const group = bySubnet.get(key);
    if (group) group.push(v);
    else bySubnet.set(key, [v]);
  }
  let subnetBest: { subnet: string; group: VoteSample[]; from: number; to: number; count: number } | undefined;
  for (const [subnet, group] of bySubnet) {
    const b = busiest(group.map((v) => v.at), burstMs);
    if (!subnetBest || b.count > subnetBest.count) subnetBest = { subnet, group, ...b };
  }
  if (subnetBest && subnetBest.count >= t.subnetVotes) {
    const inBurst = subnetBest.group.slice(subnetBest.from, subnetBest.to + 1);
    const start = inBurst[0].at;
    const end = inBurst[inBurst.length - 1].at;
    const total = countBetween(allTimes, start, end);
    const share = subnetBest.count / total;
    if (share >= t.subnetShare) {
      findings.push({
        kind: 'ip_subnet',
        windowStart: start,
        windowEnd: end,
        evidence: {
          subnet: subnetBest.subnet,
          votes: subnetBest.count,
          entrantVotesInWindow: total,
          share: round(share),
          distinctIps: new Set(inBurst.map((v) => v.ip)).size,
          window: { from: iso(start), to: iso(end), burstMinutes: t.burstMinutes },
          sampleIps: topCounts(inBurst.map((v) => v.ip)).map(({ value, votes: n }) => ({ ip: value, votes: n })),
          thresholds: { subnetVotes: t.subnetVotes, subnetShare: t.subnetShare },
        },
      });
    }
  }

  // account_cohort: voters (in one burst) whose accounts were created within cohortMinutes.
  const burst = busiest(allTimes, burstMs);
  const burstVotes = sorted.slice(burst.from, burst.to + 1);
  const byCreation = [...burstVotes].sort((a, b) => a.accountCreatedAt - b.accountCreatedAt);
  const cohort = busiest(byCreation.map((v) => v.accountCreatedAt), t.cohortMinutes * MINUTE);
  if (cohort.count >= t.cohortVotes && cohort.count / burstVotes.length >= t.cohortShare) {
    const members = byCreation.slice(cohort.from, cohort.to + 1);
    const times = members.map((v) => v.at);
    findings.push({
      kind: 'account_cohort',
      windowStart: Math.min(...times),
      windowEnd: Math.max(...times),
      evidence: {
        votes: cohort.count,
        entrantVotesInWindow: burstVotes.length,
        share: round(cohort.count / burstVotes.length),
        accountsCreated: { from: iso(members[0].accountCreatedAt), to: iso(members[members.length - 1].accountCreatedAt), cohortMinutes: t.cohortMinutes },
        window: { from: iso(Math.min(...times)), to: iso(Math.max(...times)), burstMinutes: t.burstMinutes },
        sampleAccounts: members.slice(0, SAMPLE).map((v) => ({ accountId: v.accountId, createdAt: iso(v.accountCreatedAt), votedAt: iso(v.at), ip: v.ip })),
        sampleIps: topCounts(members.map((v) => v.ip)).map(({ value, votes: n }) => ({ ip: value, votes: n })),
        thresholds: { cohortVotes: t.cohortVotes, cohortShare: t.cohortShare },
      },
    });
  }

  // fresh_accounts: the busiest burst of votes from accounts younger than freshAccountHours.
  const freshMs = t.freshAccountHours * 60 * MINUTE;
  const fresh = sorted.filter((v) => v.at - v.accountCreatedAt < freshMs);
  const freshBurst = busiest(fresh.map((v) => v.at), burstMs);
  if (freshBurst.count >= t.freshVotes) {
    const members = fresh.slice(freshBurst.from, freshBurst.to + 1);
    const start = members[0].at;
    const end = members[members.length - 1].at;
    const total = countBetween(allTimes, start, end);
    if (freshBurst.count / total >= t.freshShare) {
      const ages = members.map((v) => (v.at - v.accountCreatedAt) / MINUTE).sort((a, b) => a - b);
      findings.push({
        kind: 'fresh_accounts',
        windowStart: start,
        windowEnd: end,
        evidence: {
          votes: freshBurst.count,
          entrantVotesInWindow: total,
          share: round(freshBurst.count / total),
          medianAccountAgeMinutes: round(ages[Math.floor(ages.length / 2)], 1),
          window: { from: iso(start), to: iso(end), burstMinutes: t.burstMinutes },
          sampleAccounts: members.slice(0, SAMPLE).map((v) => ({ accountId: v.accountId, createdAt: iso(v.accountCreatedAt), votedAt: iso(v.at), ip: v.ip })),
          sampleIps: topCounts(members.map((v) => v.ip)).map(({ value, votes: n }) => ({ ip: value, votes: n })),
          thresholds: { freshAccountHours: t.freshAccountHours, freshVotes: t.freshVotes, freshShare: t.freshShare },
        },
      });
    }
  }

  // regular_intervals: the most regular run of regularRun consecutive votes.
  if (sorted.length >= t.regularRun && t.regularRun >= 3) {
    const gaps = allTimes.slice(1).map((x, i) => x - allTimes[i]);
    const k = t.regularRun - 1;
    let sum = 0;
    let sumSq = 0;
    let best: { start: number; cv: number; mean: number } | undefined;
    for (let i = 0; i < gaps.length; i++) {
      sum += gaps[i];
      sumSq += gaps[i] * gaps[i];
      if (i >= k) {
        sum -= gaps[i - k];
        sumSq -= gaps[i - k] * gaps[i - k];
      }
      if (i >= k - 1) {
        const mean = sum / k;
        const variance = Math.max(0, sumSq / k - mean * mean);
        const cv = mean > 0 ? Math.sqrt(variance) / mean : 0;
        if (!best || cv < best.cv) best = { start: i - k + 1, cv, mean };
      }
    }
    if (best && best.cv <= t.regularMaxCv) {
      const run = sorted.slice(best.start, best.start + t.regularRun);
      findings.push({
        kind: 'regular_intervals',
        windowStart: run[0].at,
        windowEnd: run[run.length - 1].at,
        evidence: {
          votes: run.length,
          meanIntervalSeconds: round(best.mean / 1000),
          coefficientOfVariation: round(best.cv),
          window: { from: iso(run[0].at), to: iso(run[run.length - 1].at) },
          sampleIntervalsSeconds: gaps.slice(best.start, best.start + SAMPLE).map((g) => round(g / 1000)),
          sampleIps: topCounts(run.map((v) => v.ip)).map(({ value, votes: n }) => ({ ip: value, votes: n })),
          thresholds: { regularRun: t.regularRun, regularMaxCv: t.regularMaxCv },
        },
      });
    }
  }
  return findings;
}

/** repeated_attempts: the busiest burst of refused duplicate attempts on one entrant (any order). */
export function detectRepeatedAttempts(attempts: readonly AttemptSample[], t: BrushingThresholds): BrushingFinding[] {
  const dup = attempts.filter((a) => (DUPLICATE_REFUSALS as readonly string[]).includes(a.reason)).sort((a, b) => a.at - b.at || (a.accountId < b.accountId ? -1 : 1));
  if (dup.length < t.refusedAttempts) return [];
  const b = busiest(dup.map((a) => a.at), t.burstMinutes * MINUTE);
  if (b.count < t.refusedAttempts) return [];
  const inBurst = dup.slice(b.from, b.to + 1);
  const start = inBurst[0].at;
  const end = inBurst[inBurst.length - 1].at;
  const byReason = Object.fromEntries(DUPLICATE_REFUSALS.map((r) => [r, inBurst.filter((a) => a.reason === r).length]));
  return [
    {
      kind: 'repeated_attempts',
      windowStart: start,
      windowEnd: end,
      evidence: {
        attempts: b.count,
        byReason,
        distinctAccounts: new Set(inBurst.map((a) => a.accountId)).size,
        distinctIps: new Set(inBurst.map((a) => a.ip)).size,
        window: { from: iso(start), to: iso(end), burstMinutes: t.burstMinutes },
        sampleAccounts: topCounts(inBurst.map((a) => a.accountId)).map(({ value, votes: n }) => ({ accountId: value, attempts: n })),
        sampleIps: topCounts(inBurst.map((a) => a.ip)).map(({ value, votes: n }) => ({ ip: value, attempts: n })),
        thresholds: { refusedAttempts: t.refusedAttempts, burstMinutes: t.burstMinutes },
      },
    },
  ];
}
