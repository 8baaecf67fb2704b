// UI text of the item analysis on the results page (题目分析), in one place.
export const ia = {
  title: '题目分析',
  intro:
    '通过率：答对人次占作答人次的比例；区分度：答对与否与其余各题得分的相关（点二列相关），越高越能区分掌握程度，负值说明高分者反而答错较多。作答不少于 5 人次才给出提示。',
  empty: '尚无已交卷的答卷，交卷后可查看题目分析',
  scatter: '通过率 × 区分度（红点为有提示的题目，点击查看）',
  facility: '通过率',
  discrimination: '区分度',
  upperLower: '高低分组差',
  responses: '作答人次',
  flagged: '有提示',
  normal: '无提示',
  onlyFlagged: '只看有提示的题目',
  cols: { no: '序号', stem: '题目', figures: '指标', options: '选项分布（绿色为正确选项）', flags: '提示', ops: '操作' },
  flags: { too_easy: '过易（通过率＞95%）', too_hard: '过难（通过率＜20%）', negative_discrimination: '区分度为负' } as Record<
    string,
    string
  >,
  types: { single: '单选', multiple: '多选', judge: '判断', fill: '填空' } as Record<string, string>,
  noOptions: '填空题无选项分布',
  chosen: (n: number, pct: string) => `${n} 人次（${pct}）`,
  review: '退回题库待审',
  reviewed: '已退回待审',
  reviewConfirm: '该题将转为草稿、不再被抽取，并附上本场考试的分析数据，由题库管理员修订后重新发布。确定退回？',
  reviewDone: '已退回题库待审',
  pct: (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`),
  num: (x: number | null) => (x === null ? '—' : x.toFixed(2)),
  fewResponses: '作答不足 5 人，暂不计算区分度',
}
