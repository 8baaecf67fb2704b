// A spring-2021 campaign for the demo department, shaped like the customer's own report: a 党组
// 集中宣讲, a department 主题党日 with an invited speaker, each branch's monthly 主题党日, 集中研讨,
// 专题辅导, 视频展播 and 党课 (the schools with students as guests), a 知识竞赛, monthly task lists
// for March–June, five 月工作提示 and the units' 简报. Deterministic: the same data on every start.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { recordActivity, type ActivityType } from '../modules/campaign/index.js'
import { seededRandom } from './demo-names.js'

/** A Shanghai wall-clock time in 2021 as an instant (UTC+8 all year). */
const at = (month: number, day: number, hour = 9, minute = 0) => new Date(Date.UTC(2021, month - 1, day, hour - 8, minute))

const BRANCH_PLAN: { type: ActivityType; month: number; day: number; title: string; hours: number }[] = [
  { type: 'theme_day', month: 3, day: 26, title: '“学党史、悟思想”主题党日', hours: 2 },
  { type: 'seminar', month: 4, day: 8, title: '新民主主义革命时期历史专题集中研讨', hours: 3 },
  { type: 'screening', month: 4, day: 16, title: '集中观看《红船精神：永不停泊的红船》', hours: 2 },
  { type: 'theme_day', month: 4, day: 28, title: '“学党史回望来时路”主题党日', hours: 2 },
  { type: 'lecture', month: 5, day: 12, title: '支部书记讲党史专题党课', hours: 2 },
  { type: 'seminar', month: 5, day: 20, title: '社会主义革命和建设时期历史专题集中研讨', hours: 3 },
  { type: 'theme_day', month: 5, day: 27, title: '“传承红色基因”主题党日', hours: 2 },
  { type: 'tutorial', month: 6, day: 10, title: '《论中国共产党历史》专题辅导', hours: 2 },
  { type: 'seminar', month: 6, day: 17, title: '改革开放新时期历史专题集中研讨', hours: 3 },
  { type: 'theme_day', month: 6, day: 25, title: '“喜迎建党百年”主题党日', hours: 2 },
]

const TASKS: { month: number; title: string; detail: string }[] = [
  { month: 3, title: '制定本单位党史学习教育实施计划', detail: '结合工作实际制定实施计划，工作任务细化分解到每周' },
  { month: 3, title: '开展“学党史、悟思想”主题党日', detail: '组织全体党员开展一次主题党日活动并做好签到' },
  { month: 4, title: '组织新民主主义革命时期历史专题集中研讨', detail: '集中时间、集中人员、集中学习内容' },
  { month: 4, title: '参加党史知识集中测试', detail: '4月29日组织全体党员干部参加党史知识集中测试' },
  { month: 5, title: '支部书记讲一次党史专题党课', detail: '各级党组织负责人在本单位讲一次党史专题党课' },
  { month: 5, title: '上报学习教育工作简报', detail: '每月至少上报一期学习教育工作简报' },
  { month: 6, title: '组织社会主义革命和建设时期历史专题研讨', detail: '围绕指定学习材料开展研讨' },
  { month: 6, title: '开展“喜迎建党百年”主题党日', detail: '结合“我为群众办实事”开展主题党日' },
]

const BULLETINS: [month: number, day: number, title: string][] = [
  [3, 5, '3月党史学习教育工作提示'],
  [4, 1, '4月党史学习教育工作提示'],
  [4, 26, '关于组织党史知识集中测试的工作提示'],
  [5, 6, '5月党史学习教育工作提示'],
  [6, 1, '6月党史学习教育工作提示'],
]

export async function seedCampaign(db: Kysely<Database>): Promise<void> {
  const rnd = seededRandom(2021_03_01)
  const orgs = await db.selectFrom('orgs').select(['id', 'name', 'kind', 'parent_id', 'path']).orderBy('path').execute()
  const users = await db.selectFrom('users').select(['id', 'org_id', 'role']).execute()
  const root = orgs.find((o) => o.parent_id === null)
  const admin = users.find((u) => u.role === 'admin')
  if (!root || !admin) return
  const inSubtree = (path: string) => users.filter((u) => orgs.find((o) => o.id === u.org_id)!.path.startsWith(path))
  const sample = <T>(xs: T[], share: number) => xs.filter(() => rnd() < share)
  const secretaryOf = (orgId: number) => users.find((u) => u.org_id === orgId && u.role === 'secretary')?.id ?? admin.id
  const isSchool = (path: string) => orgs.some((o) => o.kind === 'unit' && path.startsWith(o.path))

  await db.transaction().execute(async (tx) => {
    const everyone = users.filter((u) => u.role !== 'admin')
    const record = (
      orgId: number,
      type: ActivityType,
      title: string,
      startsAt: Date,
      hours: number,
      people: { id: number }[],
      extra: { guests?: number; place?: string; speaker?: string; summary?: string } = {},
    ) =>
      recordActivity(tx, {
        orgId,
        type,
        title,
        startsAt,
        endsAt: new Date(startsAt.getTime() + hours * 3_600_000),
        createdBy: secretaryOf(orgId),
        participantIds: people.map((p) => p.id),
        ...extra,
      })

    // The department's own: 党组集中宣讲, the 主题党日 with an invited speaker, a 集中研讨 and a 集中展播.
    await record(root.id, 'lecture', '厅党组党史学习教育集中宣讲', at(3, 18, 9), 2, sample(everyone, 0.9), {
      place: '厅机关一楼报告厅',
      speaker: '厅党组书记',
    })
    await record(
      root.id,
      'theme_day',
      '党史学习教育专题讲座暨“学党史回望来时路·铸信仰走好新征程”主题党日',
      at(4, 22, 14, 30),
      3,
      sample(everyone, 0.85),
      {
        place: '厅机关一楼报告厅',
        speaker: '王新明',
        summary: '以“党史铸心·感恩奋进”为主题，讲解“三线”科研工作者艰苦奋斗、红心爱党的崇高情怀',
      },
    )
    await record(
      root.id,
      'seminar',
      '厅党组党史学习教育集中学习研讨',
      at(4, 9, 9),
      4,
      users.filter((u) => u.role === 'secretary'),
      { place: '厅机关三楼会议室' },
    )
    await record(root.id, 'screening', '集中观看《榜样5》', at(3, 31, 15), 2, sample(everyone, 0.8), { place: '厅机关一楼报告厅' })
    await record(root.id, 'tutorial', '贵州工业发展历史专题辅导讲座', at(5, 18, 9), 2, sample(everyone, 0.75), {
      speaker: '老领导',
      place: '厅机关一楼报告厅',
    })

    // Every branch and agency: its own monthly programme, most members present, schools with students.
    for (const org of orgs.filter((o) => o.kind === 'branch' || o.kind === 'agency')) {
      const members = inSubtree(org.path)
      for (const plan of BRANCH_PLAN) {
        if (rnd() < 0.15) continue // not every branch does everything
        const guests = isSchool(org.path) && (plan.type === 'lecture' || plan.type === 'screening') ? 40 + Math.floor(rnd() * 160) : 0
        await record(
          org.id,
          plan.type,
          plan.title,
          at(plan.month, plan.day + Math.floor(rnd() * 3), 14 + Math.floor(rnd() * 3)),
          plan.hours,
          sample(members, 0.7 + rnd() * 0.3),
          { guests, place: '支部活动室' },
        )
      }
    }
    // The schools: a lecture for staff and students, and a 知识竞赛.
    for (const unit of orgs.filter((o) => o.kind === 'unit')) {
      await record(unit.id, 'lecture', '“人民科学家”南仁东事迹专题宣讲', at(4, 27, 15), 2, sample(inSubtree(unit.path), 0.9), {
        guests: 300 + Math.floor(rnd() * 200),
        speaker: '王福帅',
        place: '学院礼堂',
      })
      await record(unit.id, 'contest', '“学党史、强信念、跟党走”党史知识竞赛', at(6, 8, 14), 3, sample(inSubtree(unit.path), 0.5), {
        guests: 120,
      })
    }

    // People signed in to the 主题党日 on their phones, from ten minutes early; a few came late.
    await sql`
      update activity_participants p set
        checked_in_at = a.starts_at + ((p.user_id * 7) % 25 - 10) * interval '1 minute',
        late = (p.user_id * 7) % 25 - 10 > 10
      from activities a where a.id = p.activity_id and a.type = 'theme_day'`.execute(tx)

    // 任务清单 for March–June to every branch and agency; the past is mostly done, some items never were.
    const units = orgs.filter((o) => o.kind === 'branch' || o.kind === 'agency')
    for (const task of TASKS) {
      const due = new Date(at(task.month + 1, 1, 0).getTime() - 1000) // the last second of its month
      const row = await tx
        .insertInto('campaign_tasks')
        .values({
          title: task.title,
          detail: task.detail,
          due_at: due,
          created_by: admin.id,
          created_at: at(task.month, 1, 9),
          weeks: JSON.stringify([
            { weekOf: `2021-${String(task.month).padStart(2, '0')}-01`, text: '部署安排' },
            { weekOf: `2021-${String(task.month).padStart(2, '0')}-15`, text: '组织实施并上报' },
          ]),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await tx
        .insertInto('campaign_task_orgs')
        .values(
          units.map((u) => {
            const done = rnd() < 0.88
            return {
              task_id: row.id,
              org_id: u.id,
              done_at: done ? new Date(due.getTime() - Math.floor(rnd() * 10) * 86_400_000) : null,
              done_by: done ? secretaryOf(u.id) : null,
              note: done ? '已按要求完成' : null,
            }
          }),
        )
        .execute()
    }

    await tx
      .insertInto('campaign_bulletins')
      .values(
        BULLETINS.map(([month, day, title], i) => ({
          issue_no: i + 1,
          title,
          body_html: `<p>${title}：请各党组织结合实际安排本月学习教育活动，按时上报简报和台账。</p>`,
          created_by: admin.id,
          issued_at: at(month, day, 10),
        })),
      )
      .execute()

    const briefings = []
    for (const org of orgs.filter((o) => o.kind !== 'department')) {
      for (let month = 3; month <= 6; month++) {
        if (rnd() < 0.3) continue
        const published = rnd() < 0.4
        briefings.push({
          org_id: org.id,
          title: `${org.name}党史学习教育工作简报（${month}月）`,
          body_html: `<p>${org.name}${month}月扎实开展党史学习教育，组织主题党日和集中研讨。</p>`,
          status: published ? ('published' as const) : ('submitted' as const),
          submitted_by: secretaryOf(org.id),
          submitted_at: at(month, 25, 16),
          reviewed_by: published ? admin.id : null,
          published_at: published ? at(month, 27, 10) : null,
        })
      }
    }
    if (briefings.length) await tx.insertInto('campaign_briefings').values(briefings).execute()
  })
}
