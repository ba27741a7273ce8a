// The contest's mails (SPEC §3–§8), in zh-CN with an English fallback, each rendered as
// a subject with an HTML and a plain-text part built from the same paragraphs. Pure:
// the mail worker renders at send time from the template key and parameters in the job.
import { DAY_MS, SHANGHAI_OFFSET_MS } from '../../lib/time';

export type Locale = 'zh-CN' | 'en';

/** Every mail names its recipient and campaign and carries one link. */
interface Common {
  /** The entrant's, expert's or admin's name as the mail addresses it. */
  name: string;
  campaign: string;
  link: string;
}

export interface TemplateParams {
  registration_received: Common & { deadline: string };
  approved: Common & { deadline: string };
  rejected: Common & { reason: string; deadline: string };
  expired: Common & { reason?: string };
  disqualified: Common & { reason: string };
  pending_reminder_entrant: Common & { deadline: string };
  pending_reminder_school: Common & { deadline: string; school: string; pending: number };
  recommended: Common & { city: string };
  selected: Common & { deadline: string };
  not_selected: Common;
  expert_nomination_received: Common & { city: string; deadline: string };
  /** `link` is the one-time activation link; `deadline` is when it expires. */
  expert_selected: Common & { deadline: string };
  expert_rejected: Common;
  expert_assignment: Common & { spaces: number; deadline: string };
  review_reminder: Common & { remaining: number; deadline: string };
  expert_replaced: Common & { spaces: number; reason: string };
  /** `deadline`: the end of the public notice (公示), the last moment to object. */
  results_published: Common & { deadline: string };
  objection_filed: Common & { about: string; deadline: string };
  objection_settled: Common & { about: string; outcome: 'upheld' | 'dismissed'; reason: string };
  award: Common & { award: string };
}

export type MailTemplate = keyof TemplateParams;

/**
 * Reminders are the only mail an account may turn off; decisions about it (审核, 遴选,
 * 评审任务, 结果, 奖项) always go out.
 */
const REMINDERS: readonly MailTemplate[] = ['pending_reminder_entrant', 'pending_reminder_school', 'review_reminder'];

export function isEssential(template: MailTemplate): boolean {
  return !REMINDERS.includes(template);
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Content {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
}

type Builders = { [K in MailTemplate]: (p: TemplateParams[K], deadline: (iso: string) => string) => Content };

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An instant as Asia/Shanghai wall time. A deadline at midnight is written as 24:00 of
 * the day before, the way the notice writes them (9月15日24:00 closes at Sep 16 00:00).
 */
export function formatDeadline(iso: string, locale: Locale = 'zh-CN'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  let local = new Date(ms + SHANGHAI_OFFSET_MS);
  let hours = local.getUTCHours();
  const minutes = local.getUTCMinutes();
  if (hours === 0 && minutes === 0) {
    local = new Date(local.getTime() - DAY_MS);
    hours = 24;
  }
  const [y, m, d] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()];
  const hm = `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  return locale === 'en' ? `${d} ${MONTHS_EN[m - 1]} ${y}, ${hm} (Beijing time, UTC+8)` : `${y}年${m}月${d}日 ${hm}（北京时间）`;
}

export const AWARD_LABELS: Record<string, { 'zh-CN': string; en: string }> = {
  first: { 'zh-CN': '一等奖', en: 'First Prize' },
  second: { 'zh-CN': '二等奖', en: 'Second Prize' },
  third: { 'zh-CN': '三等奖', en: 'Third Prize' },
  excellence: { 'zh-CN': '优秀奖', en: 'Excellence Award' },
  popularity: { 'zh-CN': '最佳人气奖', en: 'Best Popularity Award' },
  sharing: { 'zh-CN': '教学成果分享奖', en: 'Teaching Achievement Sharing Award' },
  talent: { 'zh-CN': '才艺达人奖', en: 'Talent Award' },
};

const awardLabel = (key: string, locale: Locale) => AWARD_LABELS[key]?.[locale] ?? key;

const ZH: Builders = {
  registration_received: (p, dl) => ({
    subject: `【${p.campaign}】报名已收到`,
    paragraphs: [
      `您在「${p.campaign}」中的报名已收到，正在等待学校管理员进行资格审核。`,
      `资格审核须在报名截止（${dl(p.deadline)}）前完成；如有疑问，请联系您所在学校的管理员。`,
    ],
    action: { label: '查看报名状态', url: p.link },
  }),
  approved: (p, dl) => ({
    subject: `【${p.campaign}】报名已通过资格审核`,
    paragraphs: [
      `您在「${p.campaign}」中的报名已通过学校资格审核，您的网络学习空间已进入网络投票。`,
      `投票截止时间：${dl(p.deadline)}。截止后的投票不计入成绩。`,
    ],
    action: { label: '查看我的空间', url: p.link },
  }),
  rejected: (p, dl) => ({
    subject: `【${p.campaign}】报名未通过资格审核`,
    paragraphs: [
      `您在「${p.campaign}」中的报名未通过学校资格审核。`,
      `审核意见：${p.reason}`,
      `请根据审核意见修改报名信息，并在报名截止（${dl(p.deadline)}）前重新提交；逾期未重新提交的报名将失效。`,
    ],
    action: { label: '修改并重新提交', url: p.link },
  }),
  expired: (p) => ({
    subject: `【${p.campaign}】报名已逾期失效`,
    paragraphs: [
      `报名截止时，您在「${p.campaign}」中的报名尚未通过资格审核，已逾期失效。`,
      ...(p.reason ? [`原因：${p.reason}`] : []),
      `如有疑问，请联系您所在学校的管理员。`,
    ],
    action: { label: '查看报名记录', url: p.link },
  }),
  disqualified: (p) => ({
    subject: `【${p.campaign}】参赛资格已取消`,
    paragraphs: [`经核实，您在「${p.campaign}」中的参赛资格已被取消。`, `原因：${p.reason}`, `如有异议，请联系活动组委会。`],
    action: { label: '查看详情', url: p.link },
  }),
  pending_reminder_entrant: (p, dl) => ({
    subject: `【${p.campaign}】报名即将截止，资格审核尚未完成`,
    paragraphs: [
      `您在「${p.campaign}」中的报名仍在等待学校资格审核。`,
      `报名将于${dl(p.deadline)}截止，截止前未通过审核的报名将失效。请及时联系您所在学校的管理员完成审核。`,
    ],
    action: { label: '查看报名状态', url: p.link },
  }),
  pending_reminder_school: (p, dl) => ({
    subject: `【${p.campaign}】${p.school}有 ${p.pending} 份报名待审核`,
    paragraphs: [
      `「${p.campaign}」中，${p.school}尚有 ${p.pending} 份报名等待资格审核。`,
      `报名将于${dl(p.deadline)}截止，截止前未审核通过的报名将失效，请尽快完成审核。`,
    ],
    action: { label: '去审核', url: p.link },
  }),
  recommended: (p) => ({
    subject: `【${p.campaign}】您的空间获${p.city}推优`,
    paragraphs: [`您在「${p.campaign}」中的网络学习空间已获${p.city}推荐（市州推优），将进入省级专家评审。`],
    action: { label: '查看我的空间', url: p.link },
  }),
  selected: (p, dl) => ({
    subject: `【${p.campaign}】您的空间入选省级专家评审`,
    paragraphs: [
      `您在「${p.campaign}」中的网络学习空间已入选省级专家评审。`,
      `评审将于${dl(p.deadline)}结束；评审期间请保持空间可以正常访问，不要删除空间内容。`,
    ],
    action: { label: '查看我的空间', url: p.link },
  }),
  not_selected: (p) => ({
    subject: `【${p.campaign}】评审遴选结果`,
    paragraphs: [
      `感谢您参加「${p.campaign}」。根据网络投票排名和市州推优结果，您的网络学习空间此次未入选省级专家评审。`,
      `您的空间仍将在平台上继续展示交流。`,
    ],
    action: { label: '查看我的空间', url: p.link },
  }),
  expert_nomination_received: (p, dl) => ({
    subject: `【${p.campaign}】省级评审专家推荐已收到`,
    paragraphs: [
      `${p.city}已推荐您为「${p.campaign}」省级评审专家人选，推荐信息已收到。`,
      `市州推荐将于${dl(p.deadline)}截止，此后省组委会进行遴选，结果将通过邮件通知您。`,
    ],
    action: { label: '查看推荐信息', url: p.link },
  }),
  expert_selected: (p, dl) => ({
    subject: `【${p.campaign}】诚邀您担任省级评审专家`,
    paragraphs: [
      `经省组委会遴选，您已被选为「${p.campaign}」省级评审专家。`,
      `请通过下面的一次性激活链接设置密码并激活评审账号。链接只能使用一次，将于${dl(p.deadline)}失效。`,
    ],
    action: { label: '激活评审账号', url: p.link },
  }),
  expert_rejected: (p) => ({
    subject: `【${p.campaign}】省级评审专家遴选结果`,
    paragraphs: [`感谢您对「${p.campaign}」的支持。经省组委会遴选，您此次未被选为省级评审专家。`],
    action: { label: '查看详情', url: p.link },
  }),
  expert_assignment: (p, dl) => ({
    subject: `【${p.campaign}】您有 ${p.spaces} 个网络学习空间待评审`,
    paragraphs: [
      `「${p.campaign}」的评审任务已分配给您，共 ${p.spaces} 个网络学习空间（均来自其他市州）。`,
      `请在${dl(p.deadline)}前完成评分；如与某个空间存在利害关系，请在评审系统中申报回避。逾期未完成的任务将重新分配给其他专家。`,
    ],
    action: { label: '开始评审', url: p.link },
  }),
  review_reminder: (p, dl) => ({
    subject: `【${p.campaign}】评审即将截止，还有 ${p.remaining} 个空间未评分`,
    paragraphs: [
      `您在「${p.campaign}」中还有 ${p.remaining} 个网络学习空间尚未评分。`,
      `评审将于${dl(p.deadline)}截止，逾期未完成的任务将重新分配给其他专家。`,
    ],
    action: { label: '继续评审', url: p.link },
  }),
  expert_replaced: (p) => ({
    subject: `【${p.campaign}】评审任务已重新分配`,
    paragraphs: [`您在「${p.campaign}」中的 ${p.spaces} 个评审任务已重新分配给其他专家。`, `原因：${p.reason}`, `感谢您对本次活动的支持。`],
    action: { label: '查看评审任务', url: p.link },
  }),
  results_published: (p, dl) => ({
    subject: `【${p.campaign}】评审结果公示`,
    paragraphs: [`「${p.campaign}」的评审结果已在平台公示，您可以查看自己的成绩。`, `公示期至${dl(p.deadline)}；如对结果有异议，请在公示期内通过平台提出。`],
    action: { label: '查看公示结果', url: p.link },
  }),
  objection_filed: (p, dl) => ({
    subject: `【${p.campaign}】异议已收到`,
    paragraphs: [`您在「${p.campaign}」中就「${p.about}」提出的异议已收到。`, `我们将在${dl(p.deadline)}前完成核查，并通过邮件告知处理结果。`],
    action: { label: '查看异议', url: p.link },
  }),
  objection_settled: (p) => ({
    subject: `【${p.campaign}】异议处理结果`,
    paragraphs: [
      `您在「${p.campaign}」中就「${p.about}」提出的异议已处理完毕。`,
      `处理结果：${p.outcome === 'upheld' ? '异议成立，相关评审结果将重新审定。' : '异议不成立，维持原评审结果。'}`,
      `说明：${p.reason}`,
    ],
    action: { label: '查看异议', url: p.link },
  }),
  award: (p) => ({
    subject: `【${p.campaign}】恭喜您荣获${awardLabel(p.award, 'zh-CN')}`,
    paragraphs: [`恭喜！您在「${p.campaign}」中的网络学习空间荣获${awardLabel(p.award, 'zh-CN')}。`, `颁奖安排将另行通知。`],
    action: { label: '查看获奖名单', url: p.link },
  }),
};

const EN: Builders = {
  registration_received: (p, dl) => ({
    subject: `[${p.campaign}] Registration received`,
    paragraphs: [
      `Your registration for "${p.campaign}" has been received and is waiting for your school administrator's qualification review.`,
      `The review must be completed before registration closes (${dl(p.deadline)}); if in doubt, contact your school's administrator.`,
    ],
    action: { label: 'See your registration', url: p.link },
  }),
  approved: (p, dl) => ({
    subject: `[${p.campaign}] Registration approved`,
    paragraphs: [`Your registration for "${p.campaign}" passed the school's qualification review; your learning space is now open for votes.`, `Voting closes ${dl(p.deadline)}. Later votes do not count.`],
    action: { label: 'See your space', url: p.link },
  }),
  rejected: (p, dl) => ({
    subject: `[${p.campaign}] Registration not approved`,
    paragraphs: [
      `Your registration for "${p.campaign}" did not pass the school's qualification review.`,
      `Reason: ${p.reason}`,
      `Correct your registration and resubmit it before registration closes (${dl(p.deadline)}); a registration not resubmitted by then lapses.`,
    ],
    action: { label: 'Correct and resubmit', url: p.link },
  }),
  expired: (p) => ({
    subject: `[${p.campaign}] Registration lapsed`,
    paragraphs: [
      `Registration for "${p.campaign}" has closed before your registration was approved, so it has lapsed.`,
      ...(p.reason ? [`Reason: ${p.reason}`] : []),
      `If in doubt, contact your school's administrator.`,
    ],
    action: { label: 'See your registration', url: p.link },
  }),
  disqualified: (p) => ({
    subject: `[${p.campaign}] Disqualified`,
    paragraphs: [`After verification, your entry in "${p.campaign}" has been disqualified.`, `Reason: ${p.reason}`, `To dispute this, contact the organising committee.`],
    action: { label: 'See details', url: p.link },
  }),
  pending_reminder_entrant: (p, dl) => ({
    subject: `[${p.campaign}] Registration closes soon and yours is not yet approved`,
    paragraphs: [
      `Your registration for "${p.campaign}" is still waiting for the school's qualification review.`,
      `Registration closes ${dl(p.deadline)}; a registration not approved by then lapses. Please ask your school's administrator to review it.`,
    ],
    action: { label: 'See your registration', url: p.link },
  }),
  pending_reminder_school: (p, dl) => ({
    subject: `[${p.campaign}] ${p.pending} registrations at ${p.school} await review`,
    paragraphs: [`In "${p.campaign}", ${p.pending} registrations at ${p.school} are waiting for qualification review.`, `Registration closes ${dl(p.deadline)}; registrations not approved by then lapse.`],
    action: { label: 'Review them', url: p.link },
  }),
  recommended: (p) => ({
    subject: `[${p.campaign}] Recommended by ${p.city}`,
    paragraphs: [`Your learning space in "${p.campaign}" has been recommended by ${p.city} and will go to the provincial expert review.`],
    action: { label: 'See your space', url: p.link },
  }),
  selected: (p, dl) => ({
    subject: `[${p.campaign}] Selected for the expert review`,
    paragraphs: [`Your learning space in "${p.campaign}" has been selected for the provincial expert review.`, `The review ends ${dl(p.deadline)}; keep your space reachable and its content in place until then.`],
    action: { label: 'See your space', url: p.link },
  }),
  not_selected: (p) => ({
    subject: `[${p.campaign}] Review selection result`,
    paragraphs: [`Thank you for taking part in "${p.campaign}". Based on the voting ranking and the cities' recommendations, your space was not selected for the expert review.`, `Your space stays on show on the platform.`],
    action: { label: 'See your space', url: p.link },
  }),
  expert_nomination_received: (p, dl) => ({
    subject: `[${p.campaign}] Expert nomination received`,
    paragraphs: [`${p.city} has nominated you as a provincial review expert for "${p.campaign}".`, `Nominations close ${dl(p.deadline)}; the province then selects its experts and will tell you the result by mail.`],
    action: { label: 'See your nomination', url: p.link },
  }),
  expert_selected: (p, dl) => ({
    subject: `[${p.campaign}] Invitation to serve as a review expert`,
    paragraphs: [`The province has selected you as a review expert for "${p.campaign}".`, `Use the one-time link below to set your password and activate your account. It works once and expires ${dl(p.deadline)}.`],
    action: { label: 'Activate your account', url: p.link },
  }),
  expert_rejected: (p) => ({
    subject: `[${p.campaign}] Expert selection result`,
    paragraphs: [`Thank you for your support of "${p.campaign}". The province has not selected you as a review expert this time.`],
    action: { label: 'See details', url: p.link },
  }),
  expert_assignment: (p, dl) => ({
    subject: `[${p.campaign}] ${p.spaces} learning spaces to review`,
    paragraphs: [
      `You have been assigned ${p.spaces} learning spaces to review in "${p.campaign}", all from other cities.`,
      `Please score them by ${dl(p.deadline)}; declare any conflict of interest in the review system. Unfinished reviews are reassigned after the deadline.`,
    ],
    action: { label: 'Start reviewing', url: p.link },
  }),
  review_reminder: (p, dl) => ({
    subject: `[${p.campaign}] Review closes soon: ${p.remaining} spaces not scored`,
    paragraphs: [`You still have ${p.remaining} learning spaces to score in "${p.campaign}".`, `The review closes ${dl(p.deadline)}; unfinished reviews are then reassigned to other experts.`],
    action: { label: 'Continue reviewing', url: p.link },
  }),
  expert_replaced: (p) => ({
    subject: `[${p.campaign}] Reviews reassigned`,
    paragraphs: [`${p.spaces} of your reviews in "${p.campaign}" have been reassigned to other experts.`, `Reason: ${p.reason}`, `Thank you for your support.`],
    action: { label: 'See your reviews', url: p.link },
  }),
  results_published: (p, dl) => ({
    subject: `[${p.campaign}] Results published for public notice`,
    paragraphs: [`The review results of "${p.campaign}" are published on the platform; you can see your score there.`, `The public notice lasts until ${dl(p.deadline)}; objections can be filed on the platform until then.`],
    action: { label: 'See the results', url: p.link },
  }),
  objection_filed: (p, dl) => ({
    subject: `[${p.campaign}] Objection received`,
    paragraphs: [`Your objection in "${p.campaign}" concerning "${p.about}" has been received.`, `It will be examined by ${dl(p.deadline)} and you will be told the outcome by mail.`],
    action: { label: 'See your objection', url: p.link },
  }),
  objection_settled: (p) => ({
    subject: `[${p.campaign}] Objection settled`,
    paragraphs: [
      `Your objection in "${p.campaign}" concerning "${p.about}" has been settled.`,
      `Outcome: ${p.outcome === 'upheld' ? 'upheld; the result concerned will be reviewed again.' : 'dismissed; the result stands.'}`,
      `Explanation: ${p.reason}`,
    ],
    action: { label: 'See your objection', url: p.link },
  }),
  award: (p) => ({
    subject: `[${p.campaign}] Congratulations on your ${awardLabel(p.award, 'en')}`,
    paragraphs: [`Congratulations! Your learning space in "${p.campaign}" has won the ${awardLabel(p.award, 'en')}.`, `Details of the award ceremony will follow.`],
    action: { label: 'See the award list', url: p.link },
  }),
};

const CHROME = {
  'zh-CN': {
    greeting: (name: string) => `${name}，您好：`,
    footer: '此邮件由网络学习空间交流展示活动平台自动发送，请勿直接回复。',
    reminderNote: '这是一封提醒邮件。如不想再收到提醒，可在平台的“账号设置 › 邮件通知”中关闭；审核、遴选和结果等通知不受影响。',
  },
  en: {
    greeting: (name: string) => `Dear ${name},`,
    footer: 'This mail was sent automatically by the learning-space showcase platform; please do not reply to it.',
    reminderNote: 'This is a reminder. You can turn reminders off under Account settings › Mail; decisions about you are always mailed.',
  },
} as const;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Mail goes out in Chinese; an account whose language is not Chinese gets the English text. */
export function pickLocale(locale: string | undefined): Locale {
  return !locale || locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function renderMail<K extends MailTemplate>(template: K, params: TemplateParams[K], locale?: string): RenderedMail {
  const lang = pickLocale(locale);
  const builder = ((lang === 'zh-CN' ? ZH[template] : undefined) ?? EN[template]) as Builders[K] | undefined;
  if (!builder) throw new Error(`no mail template ${String(template)}`);
  const c = builder(params, (iso) => formatDeadline(iso, lang));
  const chrome = CHROME[lang];
  const notes = [chrome.footer, ...(isEssential(template) ? [] : [chrome.reminderNote])];
  const paragraphs = [chrome.greeting(params.name), ...c.paragraphs];
  const colon = lang === 'zh-CN' ? '：' : ': ';

  const text = [...paragraphs, ...(c.action ? [`${c.action.label}${colon}${c.action.url}`] : []), '--', ...notes].join('\n\n') + '\n';
  const html = [
    `<!doctype html>`,
    `<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head>`,
    `<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;font-size:15px;line-height:1.7;color:#222;max-width:640px;margin:0 auto;padding:16px">`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(c.action
      ? [`<p><a href="${escapeHtml(c.action.url)}" style="display:inline-block;padding:8px 18px;background:#1565c0;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(c.action.label)}</a></p>`, `<p style="font-size:13px;color:#555">${escapeHtml(c.action.url)}</p>`]
      : []),
    `<hr style="border:none;border-top:1px solid #ddd">`,
    ...notes.map((n) => `<p style="font-size:12px;color:#888">${escapeHtml(n)}</p>`),
    `</body></html>`,
  ].join('\n');
  return { subject: c.subject, text, html };
}

/** Every template key, for listings and tests. */
export const MAIL_TEMPLATES = Object.keys(ZH) as MailTemplate[];
