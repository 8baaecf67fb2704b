// element-plus's ElPagination renders its 条/页 select without a name (axe: label, critical) and
// offers no prop for one. <ElPagination v-page-size-label …> names it once the pager is in the page
// and again after the pager re-renders. tests/e2e/a11y.test.ts (axe-core on the console).
import type { Directive } from 'vue'
import { msg } from '@/console-messages'

const name = (el: HTMLElement) => el.querySelector('.el-pagination__sizes input')?.setAttribute('aria-label', msg.filters.pageSize)

export const vPageSizeLabel: Directive<HTMLElement> = { mounted: name, updated: name }
