import { parseRange } from '../../api/video-store';
import { receiptId } from '../../api/services/votes';
import { DEFAULT_BRUSHING, detectBrushing, detectRepeatedAttempts, subnetOf, type AttemptSample } from '../../lib/rules/brushing';
import { compareRanking, rankingScore } from '../../lib/rules/ranking';
import { dayWindow } from '../../lib/rules/schedule';
import { sniffVideo } from '../../lib/rules/video-type';
import { limitsOf, normaliseIp, refusalMessage, voteWindowRefusal } from '../../lib/rules/vote-limit';
import { organicVotes, scriptedVotes } from './synthetic';

const NOW = Date.parse('2017-06-01T12:00:00+08:00');

describe('ranking (排行)', () => {
  test('when boosts are accepted, then each counts the campaign’s weight', () => {
    expect(rankingScore(120, 3, 10)).toBe(150);
    expect(rankingScore(7, 0, 10)).toBe(7);
    expect(rankingScore(7, 2, 0.5)).toBe(8);
  });

  test('when scores tie, then more votes, then earlier registration, then the id decide — the same order every time', () => {
    const e = (id: string, votes: number, boosts: number, registeredAt: string) => ({ id, votes, acceptedBoosts: boosts, registeredAt });
    const entries = [
      e('d', 20, 0, '2017-05-20T00:00:00Z'),
      e('c', 10, 1, '2017-05-16T00:00:00Z'),
      e('b', 20, 0, '2017-05-16T00:00:00Z'),
      e('a', 20, 0, '2017-05-16T00:00:00Z'),
      e('z', 25, 0, '2017-05-30T00:00:00Z'),
    ];
    const order = (xs: typeof entries) => [...xs].sort(compareRanking(10)).map((x) => x.id);
    expect(order(entries)).toEqual(['z', 'a', 'b', 'd', 'c']);
    expect(order([...entries].reverse())).toEqual(['z', 'a', 'b', 'd', 'c']);
  });
});

describe('vote limits (每个IP地址每天只能投票1次)', () => {
  test('when a policy is chosen, then it names which limits bite', () => {
    expect(limitsOf('ip_and_account')).toEqual({ perIp: true, perAccount: true });
    expect(limitsOf('ip')).toEqual({ perIp: true, perAccount: false });
    expect(limitsOf('account')).toEqual({ perIp: false, perAccount: true });
  });

  test('when the window has not opened, has closed, or the entrant is not approved, then the refusal says which', () => {
    const w = dayWindow('2017-05-15', '2017-10-15');
    const close = Date.parse('2017-10-16T00:00:00+08:00');
    expect(voteWindowRefusal(w, 'approved', close - 1000)).toBeUndefined();
    expect(voteWindowRefusal(w, 'approved', close)).toBe('closed');
    expect(voteWindowRefusal(w, 'awaiting_selection', close)).toBe('closed');
    expect(voteWindowRefusal(w, 'approved', Date.parse('2017-05-14T23:59:59+08:00'))).toBe('not_open');
    expect(voteWindowRefusal(w, 'disqualified', close - 1000)).toBe('not_approved');
    expect(refusalMessage('closed', { entrantName: '张老师', window: w })).toContain('投票时间截止后投票数不计入成绩');
  });

  test('when the socket address is IPv4-mapped IPv6, then it is stored as IPv4', () => {
    expect(normaliseIp('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(normaliseIp('2001:db8::1')).toBe('2001:db8::1');
    expect(normaliseIp(undefined)).toBeUndefined();
  });

  test('when receipts are minted, then they are UUIDv7 in time order and distinct', () => {
    const a = receiptId(NOW);
    const b = receiptId(NOW + 1);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => receiptId(NOW))).size).toBe(1000);
  });
});

describe('video type from content (学生助力)', () => {
  const bytes = (...parts: (string | number[])[]) => {
    const head = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    return Buffer.concat([head, Buffer.alloc(4096 - head.length, 0x11)]);
  };
  test.each([
    ['MP4', bytes([0, 0, 0, 0x18], 'ftypmp42'), 'video/mp4'],
    ['MOV', bytes([0, 0, 0, 0x14], 'ftypqt  '), 'video/quicktime'],
    ['3GP', bytes([0, 0, 0, 0x14], 'ftyp3gp4'), 'video/3gpp'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm'), 'video/webm'],
    ['MKV', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska'), 'video/x-matroska'],
    ['AVI', bytes('RIFF', [0, 0, 1, 0], 'AVI LIST'), 'video/x-msvideo'],
    ['FLV', bytes('FLV', [1, 5]), 'video/x-flv'],
  ])('when the file starts like %s, then it is %s', (_name, head, type) => {
    expect(sniffVideo(head)).toEqual({ ok: true, type });
  });

  test('when packets of 188 bytes start with 0x47, then it is MPEG-TS; one 0x47 alone is not', () => {
    const ts = Buffer.alloc(4096, 0x11);
    for (let i = 0; i < ts.length; i += 188) ts[i] = 0x47;
    expect(sniffVideo(ts)).toEqual({ ok: true, type: 'video/mp2t' });
    const one = Buffer.alloc(4096, 0x11);
    one[0] = 0x47;
    expect(sniffVideo(one).ok).toBe(false);
  });

  test.each([
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['PDF', bytes('%PDF-1.7')],
    ['WAV', bytes('RIFF', [0, 0, 1, 0], 'WAVEfmt ')],
    ['HEIC', bytes([0, 0, 0, 0x18], 'ftypheic')],
    ['M4A', bytes([0, 0, 0, 0x18], 'ftypM4A ')],
    ['a script', bytes('#!/bin/sh\nrm -rf /')],
  ])('when the file is %s, then it is refused', (_name, head) => {
    expect(sniffVideo(head).ok).toBe(false);
  });
});

describe('HTTP ranges', () => {
  test.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=5-4', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-6', undefined],
    ['items=0-1', undefined],
  ])('when the header is %s of 1000 bytes, then it is %j', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});

describe('vote brushing rules (刷票)', () => {
  test('when addresses are grouped, then IPv4 by /24 and IPv6 by /64', () => {
    expect(subnetOf('10.1.2.250')).toBe('10.1.2.0/24');
    expect(subnetOf('2001:db8:0:12:abcd::1')).toBe('2001:db8:0:12::/64');
    expect(subnetOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });

  test('when a script votes from one /24 with a fresh batch of accounts every 5 s, then all four rules flag it with evidence', () => {
    const findings = detectBrushing(scriptedVotes(60, NOW), DEFAULT_BRUSHING);
    expect(findings.map((f) => f.kind).sort()).toEqual(['account_cohort', 'fresh_accounts', 'ip_subnet', 'regular_intervals']);
    const subnet = findings.find((f) => f.kind === 'ip_subnet')!;
    expect(subnet.evidence).toMatchObject({ subnet: '10.1.2.0/24', votes: 60, share: 1, distinctIps: 60 });
    expect((subnet.evidence.sampleIps as unknown[]).length).toBe(10);
    expect(findings.find((f) => f.kind === 'regular_intervals')!.evidence).toMatchObject({ meanIntervalSeconds: 5, coefficientOfVariation: 0 });
  });

  test.each(['crowd-1', 'crowd-2', 'crowd-3', 'crowd-4', 'crowd-5'])('when an organic crowd votes (seed %s), then nothing is flagged', (seed) => {
    expect(detectBrushing(organicVotes(400, NOW, 60, seed), DEFAULT_BRUSHING)).toEqual([]);
  });

  test('when a popular entrant’s crowd includes 30 votes from one school network, then the share rule keeps it unflagged', () => {
    const crowd = organicVotes(600, NOW, 30, 'popular');
    const school = scriptedVotes(30, NOW - 60_000, { gapMs: 9000 + 0, subnet: '172.16.5', ageMinutes: 60 * 24 * 200 }).map((v, i) => ({ ...v, at: v.at + ((i * 7919) % 5000) }));
    expect(detectBrushing([...crowd, ...school], DEFAULT_BRUSHING).map((f) => f.kind)).toEqual([]);
  });

  test('when a script hides behind many networks and old accounts but keeps its rhythm, then only regular_intervals flags it', () => {
    const old = organicVotes(30, NOW, 60, 'disguise').map((v, i) => ({ ...v, at: NOW - (29 - i) * 12_000 }));
    expect(detectBrushing(old, DEFAULT_BRUSHING).map((f) => f.kind)).toEqual(['regular_intervals']);
  });

  test('when an entrant has fewer votes than minVotes, then it is not examined', () => {
    expect(detectBrushing(scriptedVotes(DEFAULT_BRUSHING.minVotes - 1, NOW), DEFAULT_BRUSHING)).toEqual([]);
  });

  const attempts = (n: number, gapMs: number, reason = 'duplicate_account', accounts = 2): AttemptSample[] =>
    Array.from({ length: n }, (_, i) => ({ at: NOW - (n - i) * gapMs, ip: `10.9.9.${i % accounts}`, accountId: `acc-${i % accounts}`, reason }));

  test('when a script keeps voting after its votes were counted, then its refused attempts in one burst flag repeated_attempts with evidence', () => {
    const [f] = detectRepeatedAttempts(attempts(40, 2_000), DEFAULT_BRUSHING);
    expect(f.kind).toBe('repeated_attempts');
    expect(f.evidence).toMatchObject({ attempts: 40, byReason: { duplicate_account: 40, duplicate_ip: 0 }, distinctAccounts: 2, distinctIps: 2, sampleAccounts: [{ accountId: 'acc-0', attempts: 20 }, { accountId: 'acc-1', attempts: 20 }] });
  });

  test('when people retry a few times, spread over the hour, or are refused for a closed window, then nothing is flagged', () => {
    expect(detectRepeatedAttempts(attempts(DEFAULT_BRUSHING.refusedAttempts - 1, 2_000), DEFAULT_BRUSHING)).toEqual([]);
    // 40 refusals, one every two minutes: never 30 within a 10-minute burst.
    expect(detectRepeatedAttempts(attempts(40, 120_000), DEFAULT_BRUSHING)).toEqual([]);
    expect(detectRepeatedAttempts(attempts(40, 2_000, 'closed'), DEFAULT_BRUSHING)).toEqual([]);
  });
});
