// Deterministic realistic Chinese names for demo people (no real persons intended).
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾韦夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文'
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '建国',
  '志强',
  '海燕',
  '晓东',
  '红梅',
  '国庆',
  '春梅',
  '文斌',
  '丹',
  '俊',
  '婷婷',
  '雪',
  '玉兰',
  '成',
  '凯',
  '鹏',
  '慧',
  '思远',
  '欣怡',
  '子涵',
  '浩然',
  '雨桐',
  '嘉怡',
  '宇航',
  '梓萱',
  '俊杰',
  '晨曦',
  '黔生',
  '筑英',
  '兴黔',
  '德华',
  '永红',
  '卫东',
  '立新',
  '学军',
  '小燕',
  '光明',
]

/** mulberry32: small, seedable, good enough for demo data. */
export function seededRandom(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function demoNames(count: number, seed = 2021): string[] {
  const rand = seededRandom(seed)
  const names = new Set<string>()
  while (names.size < count) {
    names.add(SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)])
  }
  return [...names]
}
