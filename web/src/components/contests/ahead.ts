// Whether a question may still come after the one at `index` (the others ahead were not skipped):
// the hall's button reads 下一题 or 颁奖台, and a phone waits for the next question or the podium.
export function moreAhead(index: number, total: number, skipped: number[]): boolean {
  for (let i = index + 1; i < total; i++) if (!skipped.includes(i)) return true
  return false
}
