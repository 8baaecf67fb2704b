/** Plain Chinese names of the audited actions (the export and the console show both). */
export const ACTION_LABELS: Record<string, string> = {
  'auth.login': '登录', 'auth.login_failed': '登录失败', 'auth.logout': '退出登录', 'auth.password': '修改密码', 'auth.session_ended': '会话超时结束',
  'auth.totp_enabled': '启用双因素认证', 'auth.totp_disabled': '停用双因素认证', 'auth.totp_reset': '重置双因素认证',
  'user.create': '新建用户', 'user.update': '修改用户（含角色、停用）', 'user.role': '变更角色', 'user.import': '导入人员',
  'policy.update': '修改合规设置', 'privacy.consent': '排行榜姓名授权', 'privacy.export': '导出个人数据',
  'privacy.deletion_requested': '申请注销', 'privacy.deletion_approved': '同意注销（匿名化）', 'privacy.deletion_rejected': '驳回注销',
  'audit.export': '导出审计日志', 'points.adjust': '积分调整', 'points.rule': '修改积分规则',
  'feedback.reply': '答复投诉建议', 'feedback.close': '办结投诉建议',
  'exam.allowance': '考试延时/加次', 'attempt.reopen': '重开答卷', 'exam.withdraw': '撤回考试', 'exam.create': '新建考试', 'exam.update': '修改考试',
  'org.create': '新建组织', 'org.update': '修改组织', 'question.create': '新建题目', 'question.update': '修改题目', 'question.delete': '删除题目',
  'question.retire': '停用题目', 'question.import': '导入题目', 'material.create': '新建学习材料', 'material.update': '修改学习材料',
  'activity.create': '登记活动', 'activity.update': '修改活动', 'activity.delete': '删除活动', 'task.create': '下发任务', 'task.done': '完成任务',
  'bulletin.issue': '印发通报', 'contest.create': '新建现场竞答',
}
export const actionLabel = (action: string) => ACTION_LABELS[action] ?? action
