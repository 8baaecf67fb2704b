// The campaign report that writes itself: the structure of the department's own report (一是…二是…,
// the 五学 1–5, 台账化管理, 宣传教育) with every figure taken from the tally, so the text and the
// tally always agree. JSON for the console; a Word file (docx) staff edit and send on.
import { AlignmentType, Document, ImageRun, Packer, Paragraph, TextRun } from 'docx'
import type { Deps } from '../../lib/deps.js'
import type { Principal } from '../../lib/scope.js'
import { dayjs, ZONE } from '../../lib/time.js'
import { TYPE_LABELS } from './labels.js'
import { parsePeriod } from './period.js'
import type { ReportPhoto } from './report-photos.js'
import { countBriefings, countBulletins, ledgerRows } from './queries.js'
import type { ReportBody, ReportQuery, TallyType } from './schemas.js'
import { computeTally, resolveOrg, type TypeFigures } from './tally.js'
import { tasksOfSubtree } from './tasks.js'

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

type Section = ReportBody['sections'][number]

/** Up to three titles of a type as examples (《…》), most attended first. */
function examples(rows: { type: string; title: string; participants: number; guests: number }[], type: TallyType): string {
  const ranked = rows.filter((r) => r.type === type).sort((a, b) => b.participants + b.guests - (a.participants + a.guests))
  // A title that carries its own quotes or book marks is not quoted again.
  const titles = [...new Set(ranked.map((r) => r.title))].slice(0, 3).map((t) => (/[“《]/.test(t) ? t : `“${t}”`))
  return titles.length ? `，如${titles.join('、')}等` : ''
}

function dayLabel(d: Date) {
  return dayjs(d).tz(ZONE).format('YYYY年M月D日')
}

export async function campaignReport(deps: Deps, principal: Principal, query: ReportQuery): Promise<ReportBody> {
  const org = await resolveOrg(deps.db, principal, query.orgId)
  const period = parsePeriod(query.from, query.to)
  const tally = await computeTally(deps.db, org, period, { from: query.from, to: query.to })
  const rows = await ledgerRows(deps.db, { pathPrefix: org.path, ...period })
  const now = deps.clock.now()
  const tasks = (await tasksOfSubtree(deps.db, org.path, now, period)).flatMap((t) => t.orgs)
  const taskFigures = {
    total: tasks.length,
    done: tasks.filter((t) => t.status === 'done').length,
    overdue: tasks.filter((t) => t.status === 'overdue').length,
  }
  const bulletins = await countBulletins(deps.db, period)
  const briefings = await countBriefings(deps.db, { pathPrefix: org.path, ...period })
  const f = (type: TallyType): TypeFigures => tally.byType.find((b) => b.type === type)!
  const units = tally.byOrg.filter((o) => o.sessions > 0).length
  // Each unit below with its subtree's figures, as the tally's byOrg has them (most sessions first).
  const active = tally.byOrg.filter((o) => o.sessions > 0).sort((a, b) => b.sessions - a.sessions)
  const byUnit = active.length ? `。其中，${active.map((o) => `${o.name}${o.sessions}场次、${o.attendance}人次`).join('；')}` : ''

  const since = period.from ? `${dayLabel(period.from)}以来` : '学习教育开展以来'
  const asOf = period.to && period.to.getTime() < now.getTime() ? `截至${dayLabel(new Date(period.to.getTime() - 1))}` : '至目前'
  const count = (type: TallyType, noun = '场次') => `${f(type).sessions}${noun}，参加人员${f(type).attendance}人次`
  const lecture = f('lecture')
  const themeDay = f('theme_day')
  const sections: Section[] = [
    {
      title: '总体情况',
      text: `${since}，${org.name}创新学习教育方式，多形式、多渠道深入开展党史学习教育。${asOf}，共开展各类学习教育活动${tally.sessions}场次，参加人员${tally.attendance}人次${units ? `，${units}个下级单位开展了活动` : ''}${byUnit}。`,
    },
    {
      title: '一是突出“三化”抓好党史专题宣讲',
      text: `按照对象化、分众化、互动化宣讲模式，扎实抓好集中宣讲和系统联动宣讲${examples(rows, 'lecture')}。${asOf}，已开展集中宣讲${lecture.sessions}场次，参加人员${lecture.attendance}人次。`,
    },
    {
      title: '二是特色化开展党史学习主题党日活动',
      text: `各级党组织结合实际开展“主题党日”活动${examples(rows, 'theme_day')}。${asOf}，已开展主题党日活动${themeDay.sessions}次，累计参加人员${themeDay.attendance}人次。`,
    },
    {
      title: '三是创新开展“五学”活动，推进学习教育不断深入',
      text: '开展“潜心专研自学、集中研讨促学、专题辅导领学、视频展播导学、知识测试督学”活动，使学习教育不断深入，学习成效明显。',
    },
    {
      title: '1、深入开展潜心专研自学活动',
      text: `组织党员干部利用业余时间潜心自学，用好线上学习平台，对每日学习积分进行量化。${asOf}，党员干部在线自学${f('self_study').attendance}人次（按每人每天计）。`,
    },
    {
      title: '2、深入开展集中研讨促学活动',
      text: `按照集中时间、集中人员、集中学习内容的方式开展集中学习研讨${examples(rows, 'seminar')}。${asOf}，已开展集中学习研讨${count('seminar')}。`,
    },
    {
      title: '3、深入开展专题辅导领学活动',
      text: `邀请专家、老领导开展专题辅导讲座${examples(rows, 'tutorial')}。${asOf}，已开展专题辅导领学活动${count('tutorial')}。`,
    },
    {
      title: '4、深入开展视频展播导学活动',
      text: `组织党员干部集中观看专题视频${examples(rows, 'screening')}。${asOf}，已开展集中展播${count('screening')}。`,
    },
    {
      title: '5、扎实开展知识测试督学活动',
      text: `组织党员干部开展党史知识测试，实现勤学严考、以考促学。${asOf}，已组织知识测试${count('test')}${f('contest').sessions ? `；开展知识竞赛${count('contest')}` : ''}。`,
    },
    {
      title: '四是学习教育实行台账化管理',
      text: `每月制定印发任务清单和月工作提示，工作任务细化分解到每周，实行台账化管理。${asOf}，共下发月工作提示${bulletins}期，任务清单事项${taskFigures.total}项（按单位计），已完成${taskFigures.done}项${taskFigures.overdue ? `，逾期未完成${taskFigures.overdue}项` : ''}。`,
    },
    {
      title: '五是多形式开展宣传教育活动',
      text: `利用简报、专栏等多渠道宣传学习教育工作成效。${asOf}，各单位上报学习教育工作简报${briefings.submitted}期，专栏刊登${briefings.published}期${f('other').sessions ? `；开展其他学习教育活动${count('other')}` : ''}。`,
    },
  ]
  return {
    title: `${org.name}党史学习教育开展情况报告`,
    orgId: org.id,
    orgName: org.name,
    sections,
    figures: { sessions: tally.sessions, attendance: tally.attendance, byType: tally.byType, tasks: taskFigures, bulletins, briefings },
  }
}

/** Type names as used in the report's figures table. */
export const typeLabel = (t: TallyType) => TYPE_LABELS[t]

/** Pictures in the report fit this box (pixels at 96 dpi; an A4 page's text is about 550 wide). */
const PHOTO_BOX = { width: 480, height: 340 }

/** The photos appendix: each picture centred, its caption under it. */
function photoParagraphs(photos: ReportPhoto[]): Paragraph[] {
  if (!photos.length) return []
  return [
    new Paragraph({
      spacing: { before: 400, after: 200 },
      children: [new TextRun({ text: '附：活动照片', bold: true, size: 32, font: '黑体' })],
    }),
    ...photos.flatMap((p) => {
      const scale = Math.min(1, PHOTO_BOX.width / p.width, PHOTO_BOX.height / p.height)
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [
            new ImageRun({
              type: p.type,
              data: p.data,
              transformation: { width: Math.round(p.width * scale), height: Math.round(p.height * scale) },
              altText: { name: p.caption, description: p.caption, title: p.caption },
            }),
          ],
        }),
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { after: 240 },
          children: [new TextRun({ text: p.caption, size: 24, font: '仿宋_GB2312' })],
        }),
      ]
    }),
  ]
}

/**
 * The report as a Word file in the usual official style: 小标宋 title, 仿宋 body, 三号, first-line
 * indent; photos of the activities, when there are any, in an appendix.
 */
export async function reportDocx(report: ReportBody, photos: ReportPhoto[] = []): Promise<Buffer> {
  const body = (text: string, bold = false) =>
    new Paragraph({
      indent: { firstLine: 640 },
      spacing: { line: 560 },
      children: [new TextRun({ text, bold, size: 32, font: bold ? '黑体' : '仿宋_GB2312' })],
    })
  const doc = new Document({
    title: report.title,
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { after: 400 },
            children: [new TextRun({ text: report.title, size: 44, font: '方正小标宋简体' })],
          }),
          ...report.sections.flatMap((s, i) => (i === 0 ? [body(s.text)] : [body(s.title, true), body(s.text)])),
          ...photoParagraphs(photos),
        ],
      },
    ],
  })
  return Packer.toBuffer(doc)
}
