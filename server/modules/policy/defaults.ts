import type { Policy } from './schemas.js'

/**
 * A fresh install: points and leaderboards on, names only by consent, no individual lists for
 * secretaries, reminders only about organised work, 30 idle minutes.
 */
export const POLICY_DEFAULTS: Policy = {
  pointsEnabled: true,
  disabledPointRules: [],
  leaderboards: 'opt-in',
  secretaryIndividualLists: false,
  remindersOrganisedOnly: true,
  idleMinutes: 30,
  sessionMaxHours: 168,
  passwordMaxDays: 0,
  totpRequiredForAdmins: false,
  feedbackAnswerDays: 5,
  sponsor: '',
  filingNumber: '',
  privacyPolicy: [
    '我们收集：姓名、所在组织、账号，学习与考试记录，登录记录（时间、地址、设备）。',
    '用途：组织学习和测试、统计参与情况、保障账号安全。积分和排行仅作学习激励，不作日常考核依据。',
    '保存期限：在职期间保存；申请注销经管理员审核后匿名化，统计数字保留；安全审计日志保存不少于 180 天。',
    '您可以在“我的 → 隐私”中导出本人数据、选择是否在排行榜和大屏上显示姓名、申请注销。',
  ].join('\n'),
}

export const POLICY_KEYS = Object.keys(POLICY_DEFAULTS) as (keyof Policy)[]
