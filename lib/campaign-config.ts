// A campaign's whole configuration (SPEC §2–§9), validated on every write by this one schema.
import { z } from 'zod';
import { WINDOW_KEYS, checkWindows, type Windows } from './rules/schedule';
import { DEFAULT_BRUSHING } from './rules/brushing';

const instant = z.iso.datetime({ offset: true });
const windowSchema = z.object({ opensAt: instant, closesAt: instant });

const windowsSchema = z
  .object(Object.fromEntries(WINDOW_KEYS.map((k) => [k, windowSchema])) as Record<(typeof WINDOW_KEYS)[number], typeof windowSchema>)
  .superRefine((w, ctx) => {
    for (const p of checkWindows(w as Windows)) ctx.addIssue({ code: 'custom', message: p });
  });

const quotaSchema = z.object({
  teacher: z.number().int().min(0),
  student: z.number().int().min(0),
  expert: z.number().int().min(0),
});

const rubricItem = z.object({ key: z.string().regex(/^[a-z][a-z0-9_.]*$/), label: z.string().min(1), max: z.number().positive() });

export const campaignConfigSchema = z.object({
  timezone: z.literal('Asia/Shanghai').default('Asia/Shanghai'),
  windows: windowsSchema,
  /** 市州推优 and expert nomination quotas, by city code. */
  quotas: z.record(z.string(), quotaSchema),
  ranking: z.object({ boostWeight: z.number().min(0).default(10) }).default({ boostWeight: 10 }),
  /** Per IP, per account, or both per entrant per Asia/Shanghai day (SPEC §4). */
  votePolicy: z.enum(['ip_and_account', 'ip', 'account']).default('ip_and_account'),
  /** [ours] vote-brushing (刷票) detector thresholds; lib/rules/brushing.ts explains each rule. */
  brushing: z
    .object({
      lookbackMinutes: z.number().int().min(1).max(24 * 60).default(DEFAULT_BRUSHING.lookbackMinutes),
      burstMinutes: z.number().int().min(1).max(24 * 60).default(DEFAULT_BRUSHING.burstMinutes),
      minVotes: z.number().int().min(2).default(DEFAULT_BRUSHING.minVotes),
      subnetVotes: z.number().int().min(2).default(DEFAULT_BRUSHING.subnetVotes),
      subnetShare: z.number().min(0).max(1).default(DEFAULT_BRUSHING.subnetShare),
      cohortMinutes: z.number().int().min(1).default(DEFAULT_BRUSHING.cohortMinutes),
      cohortVotes: z.number().int().min(2).default(DEFAULT_BRUSHING.cohortVotes),
      cohortShare: z.number().min(0).max(1).default(DEFAULT_BRUSHING.cohortShare),
      freshAccountHours: z.number().positive().default(DEFAULT_BRUSHING.freshAccountHours),
      freshVotes: z.number().int().min(2).default(DEFAULT_BRUSHING.freshVotes),
      freshShare: z.number().min(0).max(1).default(DEFAULT_BRUSHING.freshShare),
      regularRun: z.number().int().min(3).default(DEFAULT_BRUSHING.regularRun),
      regularMaxCv: z.number().min(0).default(DEFAULT_BRUSHING.regularMaxCv),
      refusedAttempts: z.number().int().min(2).default(DEFAULT_BRUSHING.refusedAttempts),
    })
    .default(DEFAULT_BRUSHING),
  review: z
    .object({
      topK: z.object({ teacher: z.number().int().min(0), student: z.number().int().min(0) }),
      expertsPerSpace: z.number().int().min(1).max(5).default(3),
      discrepancyThreshold: z.number().positive().default(20),
      /** [ours] days an invited expert has to activate its account before the invitation expires. */
      invitationDays: z.number().int().min(1).max(60).default(7),
    })
    .default({ topK: { teacher: 300, student: 200 }, expertsPerSpace: 3, discrepancyThreshold: 20, invitationDays: 7 }),
  rubric: z.object({ teacher: z.array(rubricItem).min(1), student: z.array(rubricItem).min(1) }),
  awards: z.object({
    tiers: z.array(z.object({ key: z.enum(['first', 'second', 'third', 'excellence']), share: z.number().min(0).max(1).optional(), count: z.number().int().min(0).optional() })),
    /** [ours] lib/rules/awards.ts: rank per school stage too, special awards' counts, the group formula. */
    byStage: z.boolean().default(false),
    special: z
      .object({
        popularity: z.object({ teacher: z.number().int().min(0), student: z.number().int().min(0) }).default({ teacher: 10, student: 10 }),
        sharing: z.number().int().min(0).default(10),
        talent: z.object({ count: z.number().int().min(0).default(10), item: z.string().default('growth.talent'), attentionWeight: z.number().min(0).max(1).default(0.3) }).default({ count: 10, item: 'growth.talent', attentionWeight: 0.3 }),
      })
      .default({ popularity: { teacher: 10, student: 10 }, sharing: 10, talent: { count: 10, item: 'growth.talent', attentionWeight: 0.3 } }),
    group: z
      .object({
        counts: z.object({ county: z.number().int().min(0), school: z.number().int().min(0), city: z.number().int().min(0) }).default({ county: 10, school: 20, city: 5 }),
        weights: z.object({ teacherRate: z.number().min(0), studentRate: z.number().min(0), prizes: z.number().min(0) }).default({ teacherRate: 0.6, studentRate: 0.2, prizes: 0.2 }),
      })
      .default({ counts: { county: 10, school: 20, city: 5 }, weights: { teacherRate: 0.6, studentRate: 0.2, prizes: 0.2 } }),
  }),
  noticeDays: z.number().int().min(1).max(60).default(7),
  targets: z.object({ teacherRate: z.number().min(0).max(1).default(1), studentRate: z.number().min(0).max(1).default(0.1) }).default({ teacherRate: 1, studentRate: 0.1 }),
});

export type CampaignConfig = z.infer<typeof campaignConfigSchema>;

/** [ours] rubric weights; the seed names the items only (SPEC §7). Each sums to 100. */
export const DEFAULT_RUBRIC: CampaignConfig['rubric'] = {
  teacher: [
    { key: 'activity.logins', label: '活跃·平台登录', max: 5 },
    { key: 'activity.visits', label: '活跃·空间浏览', max: 5 },
    { key: 'resources.building', label: '资源·资源建设', max: 15 },
    { key: 'resources.reflection', label: '资源·教学反思', max: 10 },
    { key: 'use.before_class', label: '应用·课前', max: 10 },
    { key: 'use.in_class', label: '应用·课中', max: 10 },
    { key: 'use.after_class', label: '应用·课后', max: 10 },
    { key: 'use.research', label: '应用·教研活动', max: 10 },
    { key: 'use.management', label: '应用·教学管理', max: 5 },
    { key: 'boost.learning', label: '学生助力·网络学习', max: 10 },
    { key: 'boost.innovation', label: '学生助力·创新能力', max: 10 },
  ],
  student: [
    { key: 'activity.logins', label: '活跃·平台登录', max: 10 },
    { key: 'activity.visits', label: '活跃·空间浏览', max: 10 },
    { key: 'learning.exchange', label: '学习·学习交流', max: 15 },
    { key: 'learning.preview', label: '学习·课前预习', max: 15 },
    { key: 'learning.homework', label: '学习·课后作业', max: 15 },
    { key: 'growth.publications', label: '能力成长·发布内容数量', max: 15 },
    { key: 'growth.talent', label: '能力成长·才艺展示', max: 20 },
  ],
};

export const DEFAULT_AWARD_TIERS: CampaignConfig['awards']['tiers'] = [
  { key: 'first', share: 0.1 },
  { key: 'second', share: 0.2 },
  { key: 'third', share: 0.3 },
  { key: 'excellence', share: 0.4 },
];

export function parseCampaignConfig(input: unknown): CampaignConfig {
  return campaignConfigSchema.parse(input);
}
