// A study material as the console edits it: the form, and the whole record the API replaces.
import type { MaterialInput, MaterialKind, MaterialStatus } from '@/api/study'

export const emptyMaterialForm = () => ({
  open: false,
  id: 0,
  channel: '',
  kind: 'article' as MaterialKind,
  title: '',
  summary: '',
  coverUrl: '',
  bodyHtml: '',
  videoUrl: '',
  durationSeconds: undefined as number | undefined,
  source: '',
  status: 'published' as MaterialStatus,
  saving: false,
  coverProgress: -1,
  videoProgress: -1,
  durationAuto: false,
})

export interface MaterialFields {
  channel: string
  kind: MaterialKind
  title: string
  summary: string
  coverUrl: string
  bodyHtml: string
  videoUrl: string
  durationSeconds?: number
  source: string
}

/** The body PUT and POST take: empty optional fields left out (the API replaces the whole record). */
export function materialBody(f: MaterialFields, status: MaterialStatus): MaterialInput {
  return {
    // The channel comes from a select of the server's channels; the server validates it again.
    channel: f.channel as MaterialInput['channel'],
    kind: f.kind,
    title: f.title.trim(),
    status,
    ...(f.summary.trim() && { summary: f.summary.trim() }),
    ...(f.coverUrl && { coverUrl: f.coverUrl }),
    ...(f.source.trim() && { source: f.source.trim() }),
    ...(f.kind === 'article'
      ? { bodyHtml: f.bodyHtml }
      : {
          bodyHtml: f.bodyHtml,
          ...(f.videoUrl.trim() && { videoUrl: f.videoUrl.trim() }),
          ...(f.durationSeconds && { durationSeconds: f.durationSeconds }),
        }),
  }
}

export const statusTag = (s: string) => (s === 'published' ? 'success' : s === 'draft' ? 'warning' : 'info')
