// The campaign ledger (五学 台账): activities and sign-in, tallies, task lists, the campaign report.
import type { Static } from '@sinclair/typebox'
import { ApiError, del, download, get, patch, post, upload } from './client'
import { toQuery } from './types'
import type {
  ActivityAttachment,
  ActivityBody,
  ActivityPhoto,
  ActivityCreate,
  ActivityQuery,
  ActivityType,
  ActivityUpdate,
  BriefingBody,
  BulletinBody,
  BulletinReceipt,
  CheckinAnswer,
  CheckinCodeBody,
  ParticipantRow,
  ReportBody,
  RichTextImage,
  TallyBody,
  TallyQuery,
  TallyType,
  TaskBody,
  TaskCreate,
  TaskDone,
  TypeFigures,
} from '../../../server/modules/campaign/schemas'

export type Activity = ActivityBody
export type Participant = ParticipantRow
export type CheckinCode = CheckinCodeBody
export type Checkin = CheckinAnswer
export type Tally = TallyBody
export type Task = TaskBody
export type CampaignReport = ReportBody
export type TypeFigure = Static<typeof TypeFigures>
export type Bulletin = BulletinBody
export type Receipt = BulletinReceipt
export type Briefing = BriefingBody
export type Photo = ActivityPhoto
export type Attachment = ActivityAttachment
export type { ActivityCreate, ActivityType, ActivityUpdate, TallyQuery, TallyType, TaskCreate, TaskDone }

export const campaignApi = {
  list: (q: ActivityQuery) => get<{ items: Activity[]; total: number }>(`/api/activities${toQuery(q)}`),
  get: (id: number) => get<Activity>(`/api/activities/${id}`),
  create: (body: ActivityCreate) => post<Activity>('/api/activities', body),
  update: (id: number, body: ActivityUpdate) => patch<Activity>(`/api/activities/${id}`, body),
  remove: (id: number) => del<void>(`/api/activities/${id}`),
  participants: (id: number) => get<Participant[]>(`/api/activities/${id}/participants`),
  addParticipants: (id: number, userIds: number[]) => post<{ attendance: number }>(`/api/activities/${id}/participants`, { userIds }),
  removeParticipant: (id: number, userId: number) => del<{ attendance: number }>(`/api/activities/${id}/participants/${userId}`),
  photos: (id: number) => get<Photo[]>(`/api/activities/${id}/photos`),
  uploadPhoto: (id: number, file: File, onProgress?: (percent: number) => void) =>
    upload<Photo>(`/api/activities/${id}/photos`, file, onProgress),
  removePhoto: (id: number, photoId: number) => del<void>(`/api/activities/${id}/photos/${photoId}`),
  attachments: (id: number) => get<Attachment[]>(`/api/activities/${id}/attachments`),
  uploadAttachment: (id: number, file: File, onProgress?: (percent: number) => void) =>
    upload<Attachment>(`/api/activities/${id}/attachments`, file, onProgress),
  removeAttachment: (id: number, attachmentId: number) => del<void>(`/api/activities/${id}/attachments/${attachmentId}`),
  /** Attachments are served behind the token, always as a download. */
  downloadAttachment: (a: Attachment) => download(a.url, a.name),
  /** A picture for a 简报 or 工作提示 body (the rich-text editor's upload): its /media address. */
  uploadImage: async (file: File, onProgress?: (percent: number) => void) => {
    const res = await upload<RichTextImage>('/api/campaign/images', file, onProgress)
    if (res.status >= 300) throw new ApiError(res.status, 'UPLOAD', errorOf(res.body))
    return res.body
  },
  checkinCode: (id: number) => post<CheckinCode>(`/api/activities/${id}/checkin-code`),
  checkin: (code: string) => post<Checkin>('/api/activities/checkin', { code }),
  tally: (q: TallyQuery) => get<Tally>(`/api/activities/tally${toQuery(q)}`),
  exportLedger: (q: TallyQuery, filename: string) => download(`/api/activities/ledger.xlsx${toQuery(q)}`, filename),
  tasks: (orgId?: number) => get<Task[]>(`/api/tasks${toQuery({ orgId })}`),
  createTask: (body: TaskCreate) => post<{ id: number }>('/api/tasks', body),
  taskDone: (id: number, body: TaskDone) =>
    post<{ id: number; orgId: number; status: 'done'; doneAt: string }>(`/api/tasks/${id}/done`, body),
  report: (q: TallyQuery) => get<CampaignReport>(`/api/reports/campaign${toQuery(q)}`),
  reportDocx: (q: TallyQuery, filename: string) => download(`/api/reports/campaign${toQuery({ ...q, format: 'docx' })}`, filename),
  bulletins: () => get<Bulletin[]>('/api/campaign/bulletins'),
  issueBulletin: (body: { title: string; bodyHtml: string }) => post<{ id: number; issueNo: number }>('/api/campaign/bulletins', body),
  readBulletin: (id: number) => post<Bulletin>(`/api/campaign/bulletins/${id}/read`),
  receipts: (id: number, orgId?: number) => get<Receipt[]>(`/api/campaign/bulletins/${id}/receipts${toQuery({ orgId })}`),
  briefings: (q: { orgId?: number; status?: Briefing['status'] }) => get<Briefing[]>(`/api/campaign/briefings${toQuery(q)}`),
  briefing: (id: number) => get<Briefing>(`/api/campaign/briefings/${id}`),
  submitBriefing: (body: { orgId: number; title: string; bodyHtml: string }) => post<{ id: number }>('/api/campaign/briefings', body),
  reviewBriefing: (id: number, body: { action: 'publish' | 'return'; note?: string | null }) =>
    post<Briefing>(`/api/campaign/briefings/${id}/review`, body),
  column: () => get<Briefing[]>('/api/campaign/column'),
  readColumn: (id: number) => get<Briefing>(`/api/campaign/column/${id}`),
}

const errorOf = (body: unknown) => (body as { error?: { message?: string } } | null)?.error?.message ?? ''
