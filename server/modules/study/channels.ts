// The channels of study materials, as 学习强国 groups them for this department.
export const CHANNELS = ['党史', '重要讲话', '红军在贵州', '贵州工业发展史', '三线精神', '党章党规'] as const
