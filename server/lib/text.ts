// Small text helpers shared by the importers and the bank.

/** Full-width ASCII (Ａ, １, ：) and the ideographic space as their half-width twins. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
}
