/** Plain Chinese names of the audited actions (the export and the console show both). */
export const ACTION_LABELS: Record<string, string> = {
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.logout': '退出登录',
  'auth.password': '修改密码',
  'auth.session_ended': '会话超时结束',
  'auth.totp_enabled': '启用双因素认证',
  'auth.totp_disabled': '停用双因素认证',
  'auth.totp_reset': '重置双因素认证',
  'user.create': '新建用户',
  'user.update': '修改用户（含角色、停用）',
  'user.role': '变更角色',
  'user.import': '导入人员',
  'policy.update': '修改合规设置',
  'privacy.consent': '排行榜姓名授权',
  'privacy.export': '导出个人数据',
  'privacy.deletion_requested': '申请注销',
  'privacy.deletion_approved': '同意注销（匿名化）',
  'privacy.deletion_rejected': '驳回注销',
  'audit.export': '导出审计日志',
  'export.results': '导出考试成绩',
  'export.ledger': '导出活动台账',
  'export.contest': '导出竞答成绩',
  'points.adjust': '积分调整',
  'points.rule': '修改积分规则',
  'feedback.reply': '答复投诉建议',
  'feedback.close': '办结投诉建议',
  'comment.approve': '通过观点',
  'comment.reject': '不通过观点',
  'comment.words': '修改敏感词表',
  'exam.allowance': '考试延时/加次',
  'attempt.reopen': '重开答卷',
  'exam.withdraw': '撤回考试',
  'exam.create': '新建考试',
  'exam.update': '修改考试',
  'org.create': '新建组织',
  'org.update': '修改组织',
  'question.create': '新建题目',
  'question.update': '修改题目',
  'question.delete': '删除题目',
  'question.retire': '停用题目',
  'question.import': '导入题目',
  'material.create': '新建学习材料',
  'material.update': '修改学习材料',
  'activity.create': '登记活动',
  'activity.update': '修改活动',
  'activity.delete': '删除活动',
  'activity.photo.add': '上传活动照片',
  'activity.photo.remove': '删除活动照片',
  'activity.attachment.add': '上传活动附件',
  'activity.attachment.remove': '删除活动附件',
  'campaign.image': '上传简报图片',
  'task.create': '下发任务',
  'task.done': '完成任务',
  'bulletin.issue': '印发通报',
  'circular.run': '生成组织工作通报',
  'circular.template': '修改通报模板',
  'circular.individual_list': '通报附个人积分名单',
  'export.circular': '下载组织工作通报',
  'contest.create': '新建现场竞答',
}
export const actionLabel = (action: string) => ACTION_LABELS[action] ?? action

/** What an entry is about, as a person names it ("用户 #3"), not the table's code ("user #3"). */
export const TARGET_LABELS: Record<string, string> = {
  user: '用户',
  exam: '考试',
  attempt: '答卷',
  question: '题目',
  question_category: '题目分类',
  org: '组织',
  activity: '活动',
  material: '学习资料',
  feedback: '投诉建议',
  contest: '现场竞答',
  circular: '通报',
  circular_template: '通报模板',
  campaign_briefing: '工作简报',
  campaign_bulletin: '组织工作通报',
  campaign_task: '工作任务',
  point_rule: '积分规则',
  policy: '合规设置',
  comment_sensitive_words: '观点敏感词',
}

/** The details' keys most entries carry; any other key is shown as it is. */
const DETAIL_LABELS: Record<string, string> = {
  ip: 'IP',
  userAgent: '设备',
  totp: '动态口令',
  title: '标题',
  name: '名称',
  username: '用户名',
  role: '角色',
  orgId: '组织编号',
  orgName: '组织',
  fields: '修改项',
  rows: '行数',
  created: '新建',
  updated: '更新',
  total: '合计',
  from: '从',
  to: '到',
  type: '类型',
  kind: '类别',
  version: '版本',
  points: '积分',
  people: '人数',
  questions: '题数',
  note: '备注',
  format: '格式',
}

const MAX_VALUE_CHARS = 120

function valueText(v: unknown): string {
  if (typeof v === 'boolean') return v ? '是' : '否'
  if (v === null || v === undefined) return '—'
  if (Array.isArray(v)) return v.map(valueText).join('、')
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text
}

export function targetText(type: string, id: string | null): string {
  return `${TARGET_LABELS[type] ?? type}${id ? ` #${id}` : ''}`
}

const KNOWN_ORDER = Object.keys(DETAIL_LABELS)
/** Known keys in the order above (from before to), whatever order the stored JSON kept; then the rest. */
const rank = (key: string) => (KNOWN_ORDER.includes(key) ? KNOWN_ORDER.indexOf(key) : KNOWN_ORDER.length)

/** "IP：127.0.0.1；设备：Mozilla/5.0 …；动态口令：否" instead of the stored JSON. */
export function detailsText(details: Record<string, unknown> | null): string {
  if (!details) return ''
  return Object.entries(details)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([k, v]) => `${DETAIL_LABELS[k] ?? k}：${valueText(v)}`)
    .join('；')
}
