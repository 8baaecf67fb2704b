// How the console tells staff a request failed: the server's message (plain Chinese, naming the
// field) in an element-plus toast. Member pages use vant's showToast(errorMessage(e)) instead, so
// their bundle carries no element-plus.
import { ElMessage } from 'element-plus'
import { errorMessage } from '@/api/client'

export function toastError(e: unknown) {
  ElMessage.error(errorMessage(e))
}
